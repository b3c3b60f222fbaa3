import KilnIR

/// The communication function generated training steps call: `kiln_collective_hook`, a function
/// pointer every JIT program defines (null by default), bound when a program is loaded, under tcc
/// and the native tier alike. The collective kernels call it on their buffers (`allreduce_mean`
/// to average in place, `allreduce_start` and `allreduce_wait` to begin and finish an overlapped
/// exchange), and the driver calls it between kernels while an exchange is in flight (progress);
/// while it is null (no `--distributed`), the kernels are copies.
enum CollectiveHook {
    typealias Function = @convention(c) (Int32, UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?, Int64) -> Void

    /// The symbol generated programs define.
    static let symbol = "kiln_collective_hook"

    /// The operations, as the C prelude numbers them (`KILN_ALLREDUCE`, ...).
    enum Operation: Int32 {
        case allReduce = 0, start = 1, wait = 2, progress = 3
    }

    nonisolated(unsafe) private static var communicator: Communicator?

    /// Routes the hook of programs loaded from now on to `communicator`.
    static func install(_ communicator: Communicator) { self.communicator = communicator }

    /// Runs one operation on the installed communicator; a failed exchange ends the job (a kernel
    /// cannot throw).
    private static let dispatch: Function = { operation, buffer, result, count in
        guard let communicator = CollectiveHook.communicator else { return }
        do {
            switch (Operation(rawValue: operation), buffer, result) {
            case (.allReduce, let buffer?, _): try communicator.allReduceMean(buffer, count: Int(count))
            case (.start, let buffer?, _): try communicator.startMean(buffer, count: Int(count))
            case (.wait, let buffer?, let result?): try communicator.finishMean(buffer, into: result)
            case (.progress, _, _): try communicator.progress()
            default: throw KilnError.runtime("kiln_collective_hook called with operation \(operation) and a null buffer")
            }
        } catch {
            communicator.abort("the gradient exchange failed: \(error)")
        }
    }

    /// Points `module`'s `kiln_collective_hook` at the installed communicator, if there is one.
    static func bind(_ module: any LoadedModule) {
        guard communicator != nil, let slot = module.symbol(symbol) else { return }
        UnsafeMutableRawPointer(mutating: slot).storeBytes(of: Optional(dispatch), as: Function?.self)
    }
}
