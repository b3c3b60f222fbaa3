import Foundation
import KilnIR

/// Hard sigmoid, ReLU6(x + 3)/6 (MobileNetV3; PyTorch's `hardsigmoid`): a piecewise-linear
/// sigmoid without exponentials. 0 for x ≤ −3, 1 for x ≥ 3, 0.5 at 0. Derivative 1/6 on (−3, 3),
/// 0 elsewhere; kinked at ±3, which the test domains avoid.
///
/// ONNX's `HardSigmoid` is max(0, min(1, αx + β)) with α = 0.2 by default; only α = 1/6,
/// β = 0.5 equals this operator.
///
/// A primitive: one elementwise formula of selects (±inf give 0 and 1, NaN stays NaN).
public struct HardSigmoid: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "hard_sigmoid" }
    public var flopsPerElement: Int { 5 }
    public var testCases: [OperatorTestCase] { unaryTestCases(domains: [-6 ... -3.01, -2.99...2.99, 3.01...6]) }

    public func apply(_ x: Double) -> Double { Swift.min(Swift.max(x + 3, 0), 6) / 6 }

    public func cExpression(_ x: String) -> String {
        "(\(x) >= 3.0f ? 1.0f : \(x) > -3.0f ? (\(x) + 3.0f) / 6.0f : \(x) <= -3.0f ? 0.0f : \(x))"
    }

    /// 1/6 on (−3, 3), 0 elsewhere.
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID {
        let aboveLow = try context.add("greater", [x, context.scalar(-3)])
        let belowHigh = try context.add("less", [x, context.scalar(3)])
        let inside = try context.add("mul", [aboveLow, belowHigh])
        return try context.add("mul", [inside, context.scalar(1.0 / 6.0)])
    }
}
