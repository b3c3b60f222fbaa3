import KilnC
import KilnIR

/// The mean of a float32 tensor over the ranks of a data-parallel job: the gradient exchange of
/// distributed training, placed between the backward pass and the optimizer's update.
///
/// The kernel copies its input and calls `kiln_collective_hook` (a function pointer every JIT
/// program defines and the runtime binds to MPI when training runs `--distributed`) on the copy.
/// Unbound, as in a single process, the operator is the identity, which is what the reference
/// interpreter computes. Its gradient is `allreduce_mean` of the output's gradient (the adjoint of
/// a mean over the ranks that every rank receives; the identity in one process), which
/// synchronized batch statistics need. Never fused, so the exchange sees the complete buffer.
public struct AllReduceMean: Operator {
    public init() {}
    public var mnemonic: String { "allreduce_mean" }
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .opaque }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try checkArity(inputs)
        guard inputs[0].dtype == .float32 else { throw ShapeError("input 0 is \(inputs[0]); expected float32") }
        return inputs[0]
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        ReferenceTensor(signature.output, inputs[0].values)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let count = kernel.signature.output.shape.elementCount
        let (input, output) = (kernel.inputs[0], kernel.output)
        kernel.writer.line("if (\(output) != \(input)) memcpy(\(output), \(input), \(count * 4));")
        kernel.writer.line("if (kiln_collective_hook) kiln_collective_hook(KILN_ALLREDUCE, \(output), \(output), \(count)LL);")
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        OperatorCost(flops: 0, bytesRead: signature.output.byteCount, bytesWritten: signature.output.byteCount)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        [try context.add("allreduce_mean", [context.outputGradient])]
    }

    public var testCases: [OperatorTestCase] {
        [
            OperatorTestCase("matrix", inputs: [.f32(4, 8)], domain: -4...4),
            OperatorTestCase("scalar", inputs: [.f32()], domain: -1...1),
        ]
    }
}
