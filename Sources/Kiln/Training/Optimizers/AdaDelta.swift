/// AdaDelta: step sizes from the ratio of running RMS of updates and of gradients:
/// `E[g²] ← ρE[g²] + (1−ρ)g²`, `Δ = −√(E[Δ²]+ε)/√(E[g²]+ε)·g`, `E[Δ²] ← ρE[Δ²] + (1−ρ)Δ²`,
/// `w ← w + lr·Δ` (lr = 1 is the original method; PyTorch keeps the factor).
public struct AdaDelta: Optimizer {
    /// The decay ρ.
    public var rho: Double
    /// ε inside both square roots.
    public var epsilon: Double

    public var name: String { "adadelta" }

    /// Creates the optimizer.
    public init(rho: Double = 0.9, epsilon: Double = 1e-6) {
        self.rho = rho
        self.epsilon = epsilon
    }

    public func update(_ parameter: Tensor, gradient: Tensor, context: inout OptimizerContext) -> Tensor {
        let squaredGradients = context.slot("mean_square_gradient")
        let squaredUpdates = context.slot("mean_square_update")
        let newSquaredGradients = squaredGradients * rho + gradient.square() * (1 - rho)
        let delta = -((squaredUpdates + epsilon).sqrt() / (newSquaredGradients + epsilon).sqrt()) * gradient
        context.assign(squaredGradients, newSquaredGradients)
        context.assign(squaredUpdates, squaredUpdates * rho + delta.square() * (1 - rho))
        return parameter + context.learningRate * delta
    }
}
