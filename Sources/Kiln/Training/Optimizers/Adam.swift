/// Adam with bias correction: `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
/// `m̂ = m/(1−β₁ᵗ)`, `v̂ = v/(1−β₂ᵗ)`, `w ← w − lr·m̂/(√v̂ + ε)`.
///
/// The notes write the corrections with q₁ᵗ and p₁ᵗ and drop ε (catalog Appendix A item 15);
/// the denominators are 1 − β₁ᵗ and 1 − β₂ᵗ. With `decoupledWeightDecay` λ > 0 this is AdamW:
/// `w ← w − lr·(m̂/(√v̂ + ε) + λw)`, which, unlike an L2 loss term, is not rescaled by v̂.
public struct Adam: Optimizer {
    /// β₁, the first-moment decay.
    public var beta1: Double
    /// β₂, the second-moment decay.
    public var beta2: Double
    /// ε, keeping the division finite.
    public var epsilon: Double
    /// λ of decoupled weight decay (AdamW); 0 for Adam.
    public var decoupledWeightDecay: Double

    public var name: String { decoupledWeightDecay == 0 ? "adam" : "adamw" }

    /// Creates the optimizer.
    public init(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, decoupledWeightDecay: Double = 0) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    /// AdamW: Adam with decoupled weight decay λ (PyTorch's default 0.01).
    public static func adamW(weightDecay: Double = 0.01) -> Adam { Adam(decoupledWeightDecay: weightDecay) }

    public func update(_ parameter: Tensor, gradient: Tensor, context: inout OptimizerContext) -> Tensor {
        let firstMoment = context.slot("m")
        let secondMoment = context.slot("v")
        let m = firstMoment * beta1 + gradient * (1 - beta1)
        let v = secondMoment * beta2 + gradient.square() * (1 - beta2)
        context.assign(firstMoment, m)
        context.assign(secondMoment, v)
        let correction1 = 1 - context.constant(beta1).pow(context.step)
        let correction2 = 1 - context.constant(beta2).pow(context.step)
        var direction = (m / correction1) / ((v / correction2).sqrt() + epsilon)
        if decoupledWeightDecay != 0 { direction = direction + parameter * decoupledWeightDecay }
        return parameter - context.learningRate * direction
    }
}
