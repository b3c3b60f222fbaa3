import KilnIR

/// Minimum over `axes` (all axes when absent), dropping them unless `keepdims` is true.
/// Attributes and their rules: `ReductionGeometry`. An empty group gives +∞.
///
/// Gradient: routed to the input positions equal to the result and shared equally among tied
/// positions (see `max`). Cost: one comparison per input element.
public struct ReduceMin: ReductionOperator {
    public init() {}
    public var mnemonic: String { "min" }
    public func fold(_ group: [Double]) -> Double { group.reduce(Double.infinity) { Swift.min($0, $1) } }
    public func accumulator(count: Int) -> ReductionAccumulator { .extremum(greater: false) }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        [try extremumGradient(&context)]
    }

    public var testCases: [OperatorTestCase] { reductionTestCases() + tieTestCases() }
}
