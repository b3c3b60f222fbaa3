import KilnIR

/// Lowers the learning rate when a monitored loss stops improving (PyTorch's `ReduceLROnPlateau`
/// in `min` mode with a relative threshold): after `patience` evaluations without a relative
/// improvement of at least `threshold` over the best loss so far, the multiplier shrinks by
/// `factor` (not below `minimumMultiplier`), and waits `cooldown` evaluations before counting again.
///
/// ```swift
/// var plateau = try ReduceOnPlateau(factor: 0.5, patience: 2)
/// for epoch in 0..<epochs {
///     let loss = ...   // the epoch's validation loss
///     trainer.learningRateMultiplier = plateau.observe(loss)
/// }
/// ```
public struct ReduceOnPlateau: Sendable, Hashable {
    /// The multiplier applied at each reduction, in (0, 1).
    public let factor: Double
    /// Evaluations without improvement tolerated before a reduction.
    public let patience: Int
    /// The relative improvement that counts as one.
    public let threshold: Double
    /// Evaluations skipped after a reduction.
    public let cooldown: Int
    /// The smallest multiplier.
    public let minimumMultiplier: Double
    /// The multiplier of the base schedule's rate now.
    public private(set) var multiplier = 1.0
    /// The best loss seen.
    public private(set) var best = Double.infinity
    private var badEvaluations = 0
    private var cooldownLeft = 0

    /// A plateau detector (PyTorch's defaults).
    ///
    /// - Throws: when `factor` is not in (0, 1), `patience` or `cooldown` is negative, or
    ///   `threshold` or `minimumMultiplier` is negative or not finite.
    public init(
        factor: Double = 0.1, patience: Int = 10, threshold: Double = 1e-4, cooldown: Int = 0, minimumMultiplier: Double = 0
    ) throws(KilnError) {
        guard factor > 0, factor < 1 else { throw .invalidArgument("ReduceOnPlateau: factor must be in (0, 1), got \(factor)") }
        guard patience >= 0, cooldown >= 0 else {
            throw .invalidArgument("ReduceOnPlateau: patience and cooldown must be 0 or more, got \(patience) and \(cooldown)")
        }
        guard threshold >= 0, threshold.isFinite, minimumMultiplier >= 0, minimumMultiplier.isFinite else {
            throw .invalidArgument("ReduceOnPlateau: threshold and minimumMultiplier must be finite and 0 or more, got \(threshold) and \(minimumMultiplier)")
        }
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.cooldown = cooldown
        self.minimumMultiplier = minimumMultiplier
    }

    /// Records one evaluation's loss and returns the multiplier to use from now on. A NaN loss
    /// counts as no improvement.
    public mutating func observe(_ loss: Double) -> Double {
        if loss < best * (1 - threshold) {
            best = loss
            badEvaluations = 0
        } else {
            badEvaluations += 1
        }
        if cooldownLeft > 0 {
            cooldownLeft -= 1
            badEvaluations = 0
        }
        if badEvaluations > patience {
            multiplier = Swift.max(multiplier * factor, minimumMultiplier)
            cooldownLeft = cooldown
            badEvaluations = 0
        }
        return multiplier
    }
}
