/// Heavy-ball momentum, in the PyTorch/PaddlePaddle form:
/// `v ← μ·v + g`, then `w ← w − lr·v`, or with Nesterov `w ← w − lr·(g + μ·v)`.
///
/// The notes' Nesterov pseudo-code (catalog §7.6) is this reformulation of the look-ahead
/// gradient. The notes' "β usually 0.99 or 0.999" is Adam's β₂; the usual μ is 0.9.
public struct Momentum: Optimizer {
    /// The momentum coefficient μ.
    public var momentum: Double
    /// Whether to use the Nesterov form.
    public var nesterov: Bool

    public var name: String { nesterov ? "nesterov" : "momentum" }

    /// Creates the optimizer.
    public init(momentum: Double = 0.9, nesterov: Bool = false) {
        self.momentum = momentum
        self.nesterov = nesterov
    }

    public func update(_ parameter: Tensor, gradient: Tensor, context: inout OptimizerContext) -> Tensor {
        let velocity = context.slot("velocity")
        let newVelocity = velocity * momentum + gradient
        context.assign(velocity, newVelocity)
        let step = nesterov ? gradient + newVelocity * momentum : newVelocity
        return parameter - context.learningRate * step
    }
}
