import KilnIR

/// Maximum over `axes` (all axes when absent), dropping them unless `keepdims` is true.
/// Attributes and their rules: `ReductionGeometry`. An empty group gives -∞.
///
/// Gradient: routed to the input positions equal to the result and shared equally among tied
/// positions (`mask = equal(x, y)`, `dx = mask · dy / sum(mask)`), built from graph operations.
/// Cost: one comparison per input element.
public struct ReduceMax: ReductionOperator {
    public init() {}
    public var mnemonic: String { "max" }
    public func fold(_ group: [Double]) -> Double { group.reduce(-Double.infinity) { Swift.max($0, $1) } }
    public func accumulator(count: Int) -> ReductionAccumulator { .extremum(greater: true) }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        [try extremumGradient(&context)]
    }

    public var testCases: [OperatorTestCase] { reductionTestCases() + tieTestCases() }
}

extension ReductionOperator {
    /// The gradient of `max` or `min`: the output gradient shared equally among the positions
    /// that attain the result.
    func extremumGradient(_ context: inout GradientContext) throws(KilnError) -> NodeID {
        let geometry = try geometry(context)
        let result = try geometry.reshapeToKept(context.node.id, &context)
        let mask = try context.add("equal", [context.input(0), result])
        let ties = try context.add(
            "sum", [mask], attributes: ["axes": .ints(geometry.reducedAxes), "keepdims": .bool(true)])
        let gradient = try geometry.reshapeToKept(context.outputGradient, &context)
        let share = try context.add("div", [gradient, ties])
        return try context.add("mul", [mask, share])
    }
}
