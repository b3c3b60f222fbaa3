import KilnC
import KilnIR

/// The start of a non-blocking mean over the ranks (`MPI_Iallreduce`): the overlapped gradient
/// exchange of distributed training. Its output is the buffer in flight, which only
/// `allreduce_wait` may read; the backward pass goes on while the ranks exchange it.
///
/// The kernel copies its input into its own buffer and calls `kiln_collective_hook` to start the
/// sum over the ranks in that buffer, in place. The memory plan keeps the buffer intact until its
/// reader, the wait, has run; the wait completes the sum and scales it to the mean. Unbound (one
/// process), start and wait are copies, the identity the reference interpreter computes. The
/// gradient is `allreduce_wait` of the output's gradient, whose own gradient starts an exchange,
/// so the adjoint of a start followed by its wait is again a start followed by a wait (the mean's
/// adjoint is the mean). Never fused: no epilogue may read the buffer before the wait.
public struct AllReduceStart: CollectiveOperator {
    public init() {}
    public var mnemonic: String { "allreduce_start" }

    public func emitC(_ kernel: inout KernelContext) {
        let count = kernel.signature.output.shape.elementCount
        let (input, output) = (kernel.inputs[0], kernel.output)
        kernel.writer.line("if (\(output) != \(input)) memcpy(\(output), \(input), \(count * 4));")
        kernel.writer.line("if (kiln_collective_hook) kiln_collective_hook(KILN_ALLREDUCE_START, \(output), \(output), \(count)LL);")
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        [try context.add("allreduce_wait", [context.outputGradient])]
    }
}
