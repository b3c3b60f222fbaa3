import Foundation
import KilnIR

/// ReLU6, min(max(x, 0), 6): ReLU capped at 6, which keeps activations representable in low
/// precision on mobile hardware (MobileNet). Derivative 1 on (0, 6), 0 elsewhere; kinked at 0
/// and 6, which the test domains avoid.
///
/// A primitive: one elementwise formula of selects (±inf give the limits, NaN stays NaN).
public struct Relu6: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "relu6" }
    public var flopsPerElement: Int { 4 }
    public var testCases: [OperatorTestCase] { unaryTestCases(domains: [-3 ... -0.01, 0.01...5.99, 6.01...9]) }

    public func apply(_ x: Double) -> Double { Swift.min(Swift.max(x, 0), 6) }

    public func cExpression(_ x: String) -> String {
        "(\(x) >= 6.0f ? 6.0f : \(x) > 0.0f ? \(x) : \(x) <= 0.0f ? 0.0f : \(x))"
    }

    /// The mask 0 < x < 6.
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID {
        let aboveZero = try context.add("greater", [x, context.scalar(0)])
        let belowSix = try context.add("less", [x, context.scalar(6)])
        return try context.add("mul", [aboveZero, belowSix])
    }
}
