import KilnIR

/// Arithmetic mean over `axes` (all axes when absent), dropping them unless `keepdims` is true.
/// Attributes and their rules: `ReductionGeometry`. An empty group (a zero extent) gives NaN.
///
/// Gradient: the output gradient divided by the group size and copied back over the reduced
/// axes. Cost: one FLOP per input element and one division per output element.
public struct ReduceMean: ReductionOperator {
    public init() {}
    public var mnemonic: String { "mean" }
    public func fold(_ group: [Double]) -> Double { group.reduce(0, +) / Double(group.count) }

    public func accumulator(count: Int) -> ReductionAccumulator {
        .sum(divisor: count)
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        OperatorCost(
            flops: signature.inputs[0].shape.elementCount + signature.output.shape.elementCount,
            bytesRead: signature.inputs[0].byteCount, bytesWritten: signature.output.byteCount)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let geometry = try geometry(context)
        let scale = context.scalar(1 / Double(geometry.reducedCount))
        let scaled = try context.add("mul", [context.outputGradient, scale])
        return [try geometry.expandToInput(scaled, &context)]
    }
}
