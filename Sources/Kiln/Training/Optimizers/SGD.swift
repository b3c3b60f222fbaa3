/// Plain stochastic gradient descent: `w ← w − lr·(g + λ·w)`.
///
/// With weight decay λ this is exactly L2 regularization with penalty ½λ‖w‖² (for SGD only;
/// adaptive methods need the decoupled form, `AdamW`).
public struct SGD: Optimizer {
    /// L2 weight decay λ.
    public var weightDecay: Double

    public var name: String { "sgd" }

    /// Creates the optimizer.
    public init(weightDecay: Double = 0) { self.weightDecay = weightDecay }

    public func update(_ parameter: Tensor, gradient: Tensor, context: inout OptimizerContext) -> Tensor {
        let direction = weightDecay == 0 ? gradient : gradient + parameter * weightDecay
        return parameter - context.learningRate * direction
    }
}
