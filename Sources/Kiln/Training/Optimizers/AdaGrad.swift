/// AdaGrad: a per-parameter learning rate inversely proportional to the root of the summed squared
/// gradients: `r ← r + g²`, `w ← w − lr·g/(δ + √r)`.
///
/// Like RMSProp and Adam it is invariant to scaling the loss (up to δ), contrary to the notes'
/// claim (catalog Appendix A item 16).
public struct AdaGrad: Optimizer {
    /// δ, keeping the division finite.
    public var delta: Double

    public var name: String { "adagrad" }

    /// Creates the optimizer.
    public init(delta: Double = 1e-7) { self.delta = delta }

    public func update(_ parameter: Tensor, gradient: Tensor, context: inout OptimizerContext) -> Tensor {
        let accumulator = context.slot("sum_squares")
        let newAccumulator = accumulator + gradient.square()
        context.assign(accumulator, newAccumulator)
        return parameter - context.learningRate * gradient / (newAccumulator.sqrt() + delta)
    }
}
