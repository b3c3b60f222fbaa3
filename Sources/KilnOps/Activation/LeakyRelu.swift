import Foundation
import KilnC
import KilnIR

/// Leaky ReLU: x for x > 0, αx otherwise. Attribute `alpha` (default 0.01, PyTorch's default;
/// the notes give both 0.01 and 0.1, so it is a parameter). Derivative 1 or α, kinked at 0.
///
/// A primitive: one elementwise formula (branch-free in C), which fuses like any elementwise
/// operator; as a composite it would be four nodes for the same loop.
public struct LeakyRelu: AttributedUnaryOperator {
    public init() {}
    public var mnemonic: String { "leaky_relu" }
    public var flopsPerElement: Int { 3 }

    func alpha(_ attributes: Attributes) -> Double { attributes.float("alpha", default: 0.01) }

    public func checkAttributes(_ attributes: Attributes) throws(ShapeError) {
        _ = try float(attributes, "alpha", default: 0.01)
    }

    public func apply(_ x: Double, _ attributes: Attributes) -> Double { x > 0 ? x : alpha(attributes) * x }

    public func cExpression(_ x: String, _ attributes: Attributes) -> String {
        "(\(x) * ((\(x) > 0.0f) + \(CLiteral.float(alpha(attributes))) * (\(x) <= 0.0f)))"
    }

    /// 1 where x > 0, α elsewhere.
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID {
        let positive = try context.add("greater", [x, context.scalar(0)])
        let alpha = alpha(context.node.attributes)
        return try context.add("where", [positive, context.scalar(1), context.scalar(alpha)])
    }

    public var testDomains: [ClosedRange<Double>] { [-3 ... -0.01, 0.01...3] }
    public var attributeVariants: [Attributes] { [["alpha": .float(0.1)], ["alpha": .int(2)]] }
}
