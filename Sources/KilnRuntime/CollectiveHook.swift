import KilnIR

/// The communication function generated training steps call: `kiln_collective_hook`, a function
/// pointer every JIT program defines (null by default), bound when a program is loaded, under tcc
/// and the native tier alike. `allreduce_mean` kernels call it on their gradient buffer; while it is
/// null (no `--distributed`), they are copies.
enum CollectiveHook {
    typealias Function = @convention(c) (UnsafeMutablePointer<Float>?, Int64) -> Void

    /// The symbol generated programs define.
    static let symbol = "kiln_collective_hook"

    nonisolated(unsafe) private static var communicator: Communicator?

    /// Routes the hook of programs loaded from now on to `communicator`.
    static func install(_ communicator: Communicator) { self.communicator = communicator }

    /// Averages a buffer over the ranks; a failed exchange ends the job (a kernel cannot throw).
    private static let averaging: Function = { buffer, count in
        guard let communicator = CollectiveHook.communicator, let buffer else { return }
        do {
            try communicator.allReduceMean(buffer, count: Int(count))
        } catch {
            communicator.abort("the gradient exchange failed: \(error)")
        }
    }

    /// Points `module`'s `kiln_collective_hook` at the installed communicator, if there is one.
    static func bind(_ module: any LoadedModule) {
        guard communicator != nil, let slot = module.symbol(symbol) else { return }
        UnsafeMutableRawPointer(mutating: slot).storeBytes(of: Optional(averaging), as: Function?.self)
    }
}
