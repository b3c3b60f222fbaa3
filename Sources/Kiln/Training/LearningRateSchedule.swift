import Foundation

/// The learning rate as a function of the step number, evaluated in Swift and fed to the compiled
/// training step as a scalar input (changing it never recompiles).
public indirect enum LearningRateSchedule: Sendable, Hashable {
    /// A rate of your own: `rate(step, base)` at 0-based `step`. Two custom schedules are equal
    /// when their names are.
    case custom(name: String, rate: @Sendable (_ step: Int, _ base: Double) -> Double)
    /// The base rate throughout.
    case constant
    /// Multiplied by `gamma` every `stepSize` steps.
    case step(stepSize: Int, gamma: Double)
    /// Multiplied by `gamma` every step.
    case exponential(gamma: Double)
    /// Cosine annealing from the base rate to `minimum` over `totalSteps`, then `minimum`.
    case cosine(totalSteps: Int, minimum: Double)
    /// Linear warm-up from 0 over `steps`, then `then` (counted from the end of warm-up).
    case warmup(steps: Int, then: LearningRateSchedule)

    /// The rate at 0-based `step` for base rate `base`.
    public func rate(base: Double, step: Int) -> Double {
        switch self {
        case .custom(_, let rate): return rate(step, base)
        case .constant: return base
        case .step(let stepSize, let gamma): return base * Foundation.pow(gamma, Double(step / max(stepSize, 1)))
        case .exponential(let gamma): return base * Foundation.pow(gamma, Double(step))
        case .cosine(let totalSteps, let minimum):
            guard step < totalSteps else { return minimum }
            return minimum + (base - minimum) * (1 + Foundation.cos(Double.pi * Double(step) / Double(totalSteps))) / 2
        case .warmup(let steps, let then):
            if step < steps { return base * Double(step + 1) / Double(steps) }
            return then.rate(base: base, step: step - steps)
        }
    }
}

extension LearningRateSchedule {
    /// A custom schedule from a closure of the step alone (the base rate is ignored).
    public static func custom(_ name: String = "custom", _ rate: @escaping @Sendable (_ step: Int) -> Double) -> LearningRateSchedule {
        .custom(name: name) { step, _ in rate(step) }
    }

    public static func == (a: LearningRateSchedule, b: LearningRateSchedule) -> Bool { a.key == b.key }

    public func hash(into hasher: inout Hasher) { hasher.combine(key) }

    /// What identifies the schedule: its case and parameters (a custom schedule's name).
    private var key: String {
        switch self {
        case .custom(let name, _): "custom \(name)"
        case .constant: "constant"
        case .step(let stepSize, let gamma): "step \(stepSize) \(gamma)"
        case .exponential(let gamma): "exponential \(gamma)"
        case .cosine(let totalSteps, let minimum): "cosine \(totalSteps) \(minimum)"
        case .warmup(let steps, let then): "warmup \(steps) \(then.key)"
        }
    }
}
