import KilnC
import KilnIR

/// The end of a non-blocking mean over the ranks: waits for the exchange `allreduce_start`
/// began on its input (`MPI_Wait`), then gives the mean. Placed before the first reader of the
/// averaged value (the optimizer's update), as late as the graph allows.
///
/// The kernel calls `kiln_collective_hook` with its input, the buffer in flight (which names the
/// exchange), and its output, where the hook writes the mean. Unbound, it is a copy. Its gradient starts an
/// exchange of the output's gradient (see `AllReduceStart`). Never fused: an epilogue must not
/// read the buffer before the wait.
public struct AllReduceWait: CollectiveOperator {
    public init() {}
    public var mnemonic: String { "allreduce_wait" }

    public func emitC(_ kernel: inout KernelContext) {
        let count = kernel.signature.output.shape.elementCount
        let (input, output) = (kernel.inputs[0], kernel.output)
        // The hook writes the mean to the output itself: the input is a const pointer the kernel
        // must not read after a call that changes its buffer.
        kernel.writer.line("if (kiln_collective_hook) kiln_collective_hook(KILN_ALLREDUCE_WAIT, (float *)\(input), \(output), \(count)LL);")
        kernel.writer.line("else if (\(output) != \(input)) memcpy(\(output), \(input), \(count * 4));")
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        [try context.add("allreduce_start", [context.outputGradient])]
    }
}
