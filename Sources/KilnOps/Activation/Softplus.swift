import Foundation
import KilnIR

/// Softplus, ln(1 + eˣ), computed stably as max(x, 0) + log1p(e^(−|x|)) (no overflow for large
/// x, no loss for very negative x). Derivative σ(x).
///
/// A primitive: one elementwise formula; the stable form is one exponential and one log1p.
public struct Softplus: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "softplus" }
    public var flopsPerElement: Int { 8 }
    public var testDomain: ClosedRange<Double> { -6...6 }

    public func apply(_ x: Double) -> Double { Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x))) }
    public func cExpression(_ x: String) -> String { "kiln_softplus(\(x))" }

    /// σ(x).
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID {
        try context.add("sigmoid", [x])
    }
}
