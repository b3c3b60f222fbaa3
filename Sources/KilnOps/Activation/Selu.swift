import Foundation
import KilnC
import KilnIR

/// Scaled ELU: λ·x for x > 0, λα(eˣ − 1) otherwise, with the self-normalizing constants
/// α ≈ 1.6733 and λ ≈ 1.0507 (Klambauer et al. 2017). Derivative λ for x > 0, y + λα otherwise.
///
/// A primitive: one elementwise formula, branch-free in C.
public struct Selu: UnaryElementwiseOperator {
    /// α of the SELU paper.
    public static let alpha = 1.6732632423543772848170429916717
    /// λ (the scale) of the SELU paper.
    public static let scale = 1.0507009873554804934193349852946

    public init() {}
    public var mnemonic: String { "selu" }
    public var flopsPerElement: Int { 7 }
    public var testCases: [OperatorTestCase] { unaryTestCases(domains: [-3 ... -0.01, 0.01...3]) }

    public func apply(_ x: Double) -> Double {
        Selu.scale * (x > 0 ? x : Selu.alpha * Foundation.expm1(x))
    }

    public func cExpression(_ x: String) -> String {
        "(\(CLiteral.float(Selu.scale)) * (\(x) > 0.0f ? \(x) : \(CLiteral.float(Selu.alpha)) * kiln_expm1(\(x))))"
    }

    /// λ where x > 0, y + λα elsewhere.
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID {
        let positive = try context.add("greater", [x, context.scalar(0)])
        let negativeSlope = try context.add("add", [y, context.scalar(Selu.scale * Selu.alpha)])
        return try context.add("where", [positive, context.scalar(Selu.scale), negativeSlope])
    }
}
