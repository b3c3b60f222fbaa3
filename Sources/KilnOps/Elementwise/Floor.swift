import Foundation
import KilnIR

/// Floor: the largest integer ≤ x (ONNX `Floor`). Piecewise constant: its derivative is 0
/// (the steps have none), and the tests compare values only.
public struct Floor: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "floor" }
    public func apply(_ x: Double) -> Double { x.rounded(.down) }
    public func cExpression(_ x: String) -> String { "floorf(\(x))" }
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID { context.scalar(0) }
    public var testCases: [OperatorTestCase] { steppedTestCases(self) }
}
