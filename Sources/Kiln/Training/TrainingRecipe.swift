import KilnIR
import KilnRuntime

/// How a model trains unless told otherwise: the optimizer, its base learning rate, the number of
/// epochs, and a schedule over the whole run that ends low.
///
/// Why the schedule ends low: with a constant rate the last step lands wherever a noisy optimizer
/// happens to be, so the accuracy measured after it depends on the summation order of the BLAS
/// kernels and the thread count. A 20-epoch Adam run of `cnn-digits` at a constant 0.003 ended on
/// a loss spike (0.90 test accuracy) with OpenBLAS's AVX2 kernels on two threads, and at 0.99 with
/// its default kernels. Cosine annealing to a small fraction of the base rate makes the final
/// steps small, and the result the same on every machine within noise.
public struct TrainingRecipe: Sendable {
    /// The update rule.
    public var optimizer: any Optimizer
    /// The base learning rate, reached at the first step.
    public var learningRate: Double
    /// Epochs of a full run.
    public var epochs: Int
    /// The rate the schedule ends at, as a fraction of `learningRate`.
    public var finalRateFraction: Double

    /// A recipe; the defaults are those of `standard`.
    public init(optimizer: any Optimizer = Adam(), learningRate: Double = 0.003, epochs: Int = 40, finalRateFraction: Double = 0.01) {
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.epochs = epochs
        self.finalRateFraction = finalRateFraction
    }

    /// Adam at 0.003, annealed by a cosine to 1% of that over 40 epochs.
    public static let standard = TrainingRecipe()

    /// The cosine schedule from `learningRate` down to `finalRateFraction` of it over `totalSteps`.
    public func schedule(totalSteps: Int) -> LearningRateSchedule {
        .cosine(totalSteps: totalSteps, minimum: learningRate * finalRateFraction)
    }

    /// The cosine schedule over `epochs` epochs of `stepsPerEpoch` steps (a run too long to count
    /// in steps anneals over `Int.max` of them).
    public func schedule(epochs: Int, stepsPerEpoch: Int) -> LearningRateSchedule {
        let (totalSteps, overflow) = epochs.multipliedReportingOverflow(by: max(stepsPerEpoch, 1))
        return schedule(totalSteps: overflow ? Int.max : totalSteps)
    }

    /// A trainer of `model` following this recipe over `epochs` (default: the recipe's) epochs of
    /// `stepsPerEpoch` steps.
    public func trainer(
        model: Model, stepsPerEpoch: Int, epochs: Int? = nil, clipping: GradientClipping = .none,
        backend: ExecutionBackend = .tcc
    ) throws(KilnError) -> Trainer {
        try Trainer(
            model: model, optimizer: optimizer, learningRate: learningRate,
            schedule: schedule(epochs: epochs ?? self.epochs, stepsPerEpoch: stepsPerEpoch), clipping: clipping, backend: backend)
    }
}
