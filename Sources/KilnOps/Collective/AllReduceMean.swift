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
public struct AllReduceMean: CollectiveOperator {
    public init() {}
    public var mnemonic: String { "allreduce_mean" }

    public func emitC(_ kernel: inout KernelContext) {
        let count = kernel.signature.output.shape.elementCount
        let (input, output) = (kernel.inputs[0], kernel.output)
        kernel.writer.line("if (\(output) != \(input)) memcpy(\(output), \(input), \(count * 4));")
        kernel.writer.line("if (kiln_collective_hook) kiln_collective_hook(KILN_ALLREDUCE, \(output), \(output), \(count)LL);")
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        [try context.add("allreduce_mean", [context.outputGradient])]
    }
}
