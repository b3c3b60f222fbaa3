/// RMSProp: AdaGrad with an exponentially decaying average of squared gradients:
/// `r ← ρ·r + (1 − ρ)·g²`, `w ← w − lr·g/(√r + ε)`.
public struct RMSProp: Optimizer {
    /// The decay ρ.
    public var rho: Double
    /// ε, keeping the division finite (the notes omit it).
    public var epsilon: Double

    public var name: String { "rmsprop" }

    /// Creates the optimizer.
    public init(rho: Double = 0.99, epsilon: Double = 1e-8) {
        self.rho = rho
        self.epsilon = epsilon
    }

    public func update(_ parameter: Tensor, gradient: Tensor, context: inout OptimizerContext) -> Tensor {
        let average = context.slot("mean_square")
        let newAverage = average * rho + gradient.square() * (1 - rho)
        context.assign(average, newAverage)
        return parameter - context.learningRate * gradient / (newAverage.sqrt() + epsilon)
    }
}
