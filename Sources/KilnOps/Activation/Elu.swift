import Foundation
import KilnC
import KilnIR

/// Exponential linear unit: x for x > 0, α(eˣ − 1) otherwise. Attribute `alpha` (default 1).
/// Derivative 1 for x > 0, αeˣ = y + α otherwise (continuous at 0 only when α = 1).
///
/// A primitive: one elementwise formula; the C selects between x and α·expm1(x), both computed
/// (branch-free after if-conversion; the inline `kiln_expm1` saturates instead of overflowing).
public struct Elu: AttributedUnaryOperator {
    public init() {}
    public var mnemonic: String { "elu" }
    public var flopsPerElement: Int { 6 }

    func alpha(_ attributes: Attributes) -> Double { attributes.float("alpha", default: 1) }

    public func checkAttributes(_ attributes: Attributes) throws(ShapeError) {
        _ = try float(attributes, "alpha", default: 1)
    }

    public func apply(_ x: Double, _ attributes: Attributes) -> Double {
        x > 0 ? x : alpha(attributes) * Foundation.expm1(x)
    }

    public func cExpression(_ x: String, _ attributes: Attributes) -> String {
        "(\(x) > 0.0f ? \(x) : \(CLiteral.float(alpha(attributes))) * kiln_expm1(\(x)))"
    }

    /// 1 where x > 0, y + α elsewhere.
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID {
        let positive = try context.add("greater", [x, context.scalar(0)])
        let negativeSlope = try context.add("add", [y, context.scalar(alpha(context.node.attributes))])
        return try context.add("where", [positive, context.scalar(1), negativeSlope])
    }

    public var testDomains: [ClosedRange<Double>] { [-3 ... -0.01, 0.01...3] }
    public var attributeVariants: [Attributes] { [["alpha": .float(0.5)]] }
}
