import Foundation
import KilnIR

/// Hard swish, x·ReLU6(x + 3)/6 (MobileNetV3): swish with the hard sigmoid. 0 for x ≤ −3,
/// x for x ≥ 3. Derivative 0 for x < −3, (2x + 3)/6 on (−3, 3), 1 for x > 3; kinked at ±3,
/// which the test domains avoid.
///
/// A primitive: one elementwise formula of selects (±inf give the limits, NaN stays NaN).
public struct HardSwish: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "hard_swish" }
    public var flopsPerElement: Int { 6 }
    public var testCases: [OperatorTestCase] { unaryTestCases(domains: [-6 ... -3.01, -2.99...2.99, 3.01...6]) }

    public func apply(_ x: Double) -> Double { x * Swift.min(Swift.max(x + 3, 0), 6) / 6 }

    public func cExpression(_ x: String) -> String {
        "(\(x) * (\(x) >= 3.0f ? 6.0f : \(x) > -3.0f ? \(x) + 3.0f : \(x) <= -3.0f ? 0.0f : \(x)) / 6.0f)"
    }

    /// (x/3 + 1/2) on (−3, 3), plus 1 where x ≥ 3.
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID {
        let aboveLow = try context.add("greater", [x, context.scalar(-3)])
        let belowHigh = try context.add("less", [x, context.scalar(3)])
        let inside = try context.add("mul", [aboveLow, belowHigh])
        let third = try context.add("mul", [x, context.scalar(1.0 / 3.0)])
        let slope = try context.add("add", [third, context.scalar(0.5)])
        let middle = try context.add("mul", [inside, slope])
        let high = try context.add("greater_equal", [x, context.scalar(3)])
        return try context.add("add", [middle, high])
    }
}
