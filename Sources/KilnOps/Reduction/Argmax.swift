import KilnIR

/// Position of the maximum over `axes` (all axes when absent) as int64, dropping the axes unless
/// `keepdims` is true; the first position on ties. Over several axes the position counts the
/// group's elements in C order of the reduced axes (NumPy's flat index over them).
/// Attributes and their rules: `ReductionGeometry`.
///
/// No gradient flows to the input (the result is piecewise constant): the rule returns nil.
/// Cost: one comparison per input element.
public struct Argmax: ReductionOperator {
    public init() {}
    public var mnemonic: String { "argmax" }
    public var outputType: DType { .int64 }

    public func fold(_ group: [Double]) -> Double {
        var best = -Double.infinity, position = 0
        for (index, value) in group.enumerated() where value > best {
            best = value
            position = index
        }
        return Double(position)
    }

    public func accumulator(count: Int) -> ReductionAccumulator { .argmax }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] { [nil] }

    public var testCases: [OperatorTestCase] { reductionTestCases(differentiable: false) + tieTestCases() }
}
