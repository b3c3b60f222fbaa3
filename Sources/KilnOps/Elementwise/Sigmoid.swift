import Foundation
import KilnIR

/// Logistic sigmoid, 1/(1+e⁻ˣ), in (0, 1); σ'(x) = σ(x)(1−σ(x)), at most 0.25.
///
/// A primitive rather than a composite of exp and reciprocal so that it is one formula with one
/// exponential per element, which fuses like any elementwise operator.
public struct Sigmoid: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "sigmoid" }
    public func apply(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
    public func cExpression(_ x: String) -> String { "kiln_sigmoid(\(x))" }
    public var testDomain: ClosedRange<Double> { -4...4 }
    public var flopsPerElement: Int { 4 }
    /// σ(x)(1−σ(x)) = y(1−y).
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID {
        try context.add("mul", [y, try context.add("sub", [context.scalar(1), y])])
    }
}
