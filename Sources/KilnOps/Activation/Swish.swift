import Foundation
import KilnC
import KilnIR

/// Swish: x·σ(βx). Attribute `beta` (default 1, where it equals `silu`).
/// Derivative σ(βx)·(1 + β(x − y)).
///
/// A primitive: one elementwise formula with one exponential, `x / (1 + e^(−βx))`.
public struct Swish: AttributedUnaryOperator {
    public init() {}
    public var mnemonic: String { "swish" }
    public var flopsPerElement: Int { 6 }
    public var testDomains: [ClosedRange<Double>] { [-4...4] }
    public var attributeVariants: [Attributes] { [["beta": .float(1.5)], ["beta": .float(-0.5)]] }

    func beta(_ attributes: Attributes) -> Double { attributes.float("beta", default: 1) }

    public func checkAttributes(_ attributes: Attributes) throws(ShapeError) {
        _ = try float(attributes, "beta", default: 1)
    }

    public func apply(_ x: Double, _ attributes: Attributes) -> Double {
        x / (1 + Foundation.exp(-beta(attributes) * x))
    }

    public func cExpression(_ x: String, _ attributes: Attributes) -> String {
        "(\(x) * kiln_sigmoid(\(CLiteral.float(beta(attributes))) * \(x)))"
    }

    /// σ(βx)·(1 + β(x − y)).
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID {
        let beta = beta(context.node.attributes)
        let scaled = try context.add("mul", [x, context.scalar(beta)])
        let sigmoid = try context.add("sigmoid", [scaled])
        let difference = try context.add("sub", [x, y])
        let scaledDifference = try context.add("mul", [difference, context.scalar(beta)])
        let factor = try context.add("add", [scaledDifference, context.scalar(1)])
        return try context.add("mul", [sigmoid, factor])
    }
}
