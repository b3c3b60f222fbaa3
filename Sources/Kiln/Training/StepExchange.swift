import KilnRuntime

/// The time and traffic of one distributed training step on this rank: compute time (the step
/// minus the time inside the exchange calls), communication time (the time inside them: starting,
/// progressing and waiting for the gradient exchanges, and averaging the loss, the wait for the
/// other ranks included), and the gradient bytes all-reduced.
public struct StepExchange: Sendable, Equatable {
    /// Seconds the step computed.
    public var computeSeconds: Double
    /// Seconds the step spent in the exchange.
    public var exchangeSeconds: Double
    /// The part of `exchangeSeconds` spent finishing overlapped exchanges after the backward pass.
    public var finishSeconds: Double
    /// Gradient bytes this rank all-reduced.
    public var bytes: Int
    /// All-reduces (gradient buckets) of the step.
    public var allReduces: Int

    /// The step from the communicator's totals before and after it, and its length in seconds.
    init(before: Communicator.ExchangeTotals, after: Communicator.ExchangeTotals, seconds: Double) {
        exchangeSeconds = after.seconds - before.seconds
        finishSeconds = after.finishSeconds - before.finishSeconds
        computeSeconds = max(seconds - exchangeSeconds, 0)
        bytes = after.bytes - before.bytes
        allReduces = after.calls - before.calls
    }

    /// The median of each figure over `steps` (the upper middle of an even count); nil for none.
    public static func medians(_ steps: [StepExchange]) -> StepExchange? {
        guard !steps.isEmpty else { return nil }
        func median<T: Comparable>(_ values: [T]) -> T { values.sorted()[values.count / 2] }
        var result = steps[0]
        result.computeSeconds = median(steps.map(\.computeSeconds))
        result.exchangeSeconds = median(steps.map(\.exchangeSeconds))
        result.finishSeconds = median(steps.map(\.finishSeconds))
        result.bytes = median(steps.map(\.bytes))
        result.allReduces = median(steps.map(\.allReduces))
        return result
    }
}
