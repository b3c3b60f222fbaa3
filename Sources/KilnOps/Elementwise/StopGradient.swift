import KilnIR

/// Stop-gradient: the identity forward, no gradient backward (PyTorch's `detach`, JAX's
/// `stop_gradient`). Straight-through estimators are built from it: `y + stop_gradient(h − y)`
/// has the value of `h` and the gradient of `y` (hard Gumbel-softmax).
public struct StopGradient: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "stop_gradient" }
    public func apply(_ x: Double) -> Double { x }
    public func cExpression(_ x: String) -> String { x }
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID { context.scalar(0) }
    public var testCases: [OperatorTestCase] {
        [OperatorTestCase("identity", inputs: [.f32(4, 8)], domain: -4...4, differentiable: false)]
    }
}
