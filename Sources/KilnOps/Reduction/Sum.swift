import KilnIR

/// Sum over `axes` (all axes when absent), dropping them unless `keepdims` is true.
/// Attributes and their rules: `ReductionGeometry`. Also the gradient of every broadcast
/// (`GradientContext.unbroadcast` uses `axes` and `keepdims`).
///
/// Gradient: the output gradient copied back over the reduced axes (reshape to the kept shape,
/// then `expand`). Cost: one FLOP per input element.
public struct ReduceSum: ReductionOperator {
    public init() {}
    public var mnemonic: String { "sum" }
    public func fold(_ group: [Double]) -> Double { group.reduce(0, +) }
    public func accumulator(count: Int) -> ReductionAccumulator { .sum() }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        [try geometry(context).expandToInput(context.outputGradient, &context)]
    }
}
