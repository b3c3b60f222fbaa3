import Foundation
import KilnIR

/// SiLU (swish with β = 1): x·σ(x). Smooth, non-monotonic, bounded below.
/// Derivative σ(x)(1 + x − y), since y = x·σ(x).
///
/// A primitive: one elementwise formula with one exponential, `x / (1 + e⁻ˣ)`.
public struct Silu: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "silu" }
    public var flopsPerElement: Int { 5 }
    public var testDomain: ClosedRange<Double> { -4...4 }

    public func apply(_ x: Double) -> Double { x / (1 + Foundation.exp(-x)) }
    public func cExpression(_ x: String) -> String { "(\(x) * kiln_sigmoid(\(x)))" }

    /// σ(x)·(1 + x − y).
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID {
        let sigmoid = try context.add("sigmoid", [x])
        let difference = try context.add("sub", [x, y])
        let factor = try context.add("add", [difference, context.scalar(1)])
        return try context.add("mul", [sigmoid, factor])
    }
}
