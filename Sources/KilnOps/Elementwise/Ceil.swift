import Foundation
import KilnIR

/// Ceil: the smallest integer ≥ x (ONNX `Ceil`). Piecewise constant: its derivative is 0
/// (the steps have none), and the tests compare values only.
public struct Ceil: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "ceil" }
    public func apply(_ x: Double) -> Double { x.rounded(.up) }
    public func cExpression(_ x: String) -> String { "ceilf(\(x))" }
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID { context.scalar(0) }
    public var testCases: [OperatorTestCase] { steppedTestCases(self) }
}
