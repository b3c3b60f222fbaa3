import Foundation
import KilnIR

/// Mish (the YOLOv4 backbone's activation): x·tanh(softplus(x)), with the stable softplus.
/// Derivative t + x·(1 − t²)·σ(x), where t = tanh(softplus(x)).
///
/// A primitive: one elementwise formula (exp, log1p, tanh per element); the derivative reuses
/// `softplus`, `tanh` and `sigmoid`.
public struct Mish: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "mish" }
    public var flopsPerElement: Int { 14 }
    public var testDomain: ClosedRange<Double> { -5...5 }

    public func apply(_ x: Double) -> Double {
        x * Foundation.tanh(Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x))))
    }

    public func cExpression(_ x: String) -> String {
        "(\(x) * kiln_tanh(kiln_softplus(\(x))))"
    }

    /// t + x·(1 − t²)·σ(x) with t = tanh(softplus(x)).
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID {
        let softplus = try context.add("softplus", [x])
        let t = try context.add("tanh", [softplus])
        let sech2 = try context.add("sub", [context.scalar(1), try context.add("square", [t])])
        let sigmoid = try context.add("sigmoid", [x])
        let product = try context.add("mul", [try context.add("mul", [x, sech2]), sigmoid])
        return try context.add("add", [t, product])
    }
}
