import Foundation
import KilnIR

/// Rounding to the nearest integer, halves to the even one (ONNX `Round`, NumPy's `rint`).
/// Written with `floorf` alone (exact below 2²³, where every float32 with a fraction lies): the
/// fraction x − ⌊x⌋ is exact, so no addition of ½ can round 0.49999997 up. Piecewise constant:
/// its derivative is 0, and the tests compare values only.
public struct Round: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "round" }
    public func apply(_ x: Double) -> Double { x.rounded(.toNearestOrEven) }
    public func cExpression(_ x: String) -> String {
        let floor = "floorf(\(x))", fraction = "(\(x) - floorf(\(x)))"
        let odd = "(\(floor) - 2.0f * floorf(0.5f * \(floor)) != 0.0f)"
        return "(\(floor) + (float)(\(fraction) > 0.5f || (\(fraction) == 0.5f && \(odd))))"
    }
    public var flopsPerElement: Int { 4 }
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID { context.scalar(0) }
    public var testCases: [OperatorTestCase] { steppedTestCases(self) }
}

/// Test cases of a step function (`floor`, `ceil`, `round`): values across several steps and
/// exact integers, compared but not differentiated.
func steppedTestCases(_ op: some UnaryElementwiseOperator) -> [OperatorTestCase] {
    [
        OperatorTestCase("steps", inputs: [.f32(4, 8)], domain: -4...4, differentiable: false),
        OperatorTestCase("integers", inputs: [.f32(3, 5)], domain: -4...4, differentiable: false, integerValued: [0]),
    ]
}
