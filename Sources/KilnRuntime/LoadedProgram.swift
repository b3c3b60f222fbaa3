import KilnIR

/// The entry points of one compiled generated program, and the module that keeps them loaded.
struct LoadedProgram {
    typealias Driver = @convention(c) (UnsafeMutableRawPointer) -> Void

    let tier: Tier
    let module: any LoadedModule
    let run: Driver
    let prepare: Driver
    let update: Driver
    let runKernel: @convention(c) (Int32, UnsafeMutableRawPointer) -> Void
    /// Sets OpenMP's thread count; returns the thread count OpenBLAS should run on.
    let setThreads: @convention(c) (Int32) -> Int32

    /// Copies on the program's OpenMP threads (`kiln_copy`); returns 0 when it has none.
    let copy: (@convention(c) (UnsafeMutableRawPointer, UnsafeRawPointer, Int, Int32) -> Int32)?

    /// Copies `byteCount` bytes on `threads` threads: OpenMP's, those the kernels run on, when
    /// the program has them and the copy is large, else `ParallelCopy`'s.
    func copy(to target: UnsafeMutableRawPointer, from source: UnsafeRawPointer, byteCount: Int, threads: Int) {
        if threads > 1, byteCount >= ParallelCopy.minimumBytes, let copy, copy(target, source, byteCount, Int32(threads)) != 0 {
            return
        }
        ParallelCopy.copy(to: target, from: source, byteCount: byteCount, threads: threads)
    }

    /// Looks up the entry points `GeneratedProgram` documents in `module`.
    init(module: any LoadedModule, tier: Tier) throws(KilnError) {
        guard let run = module.symbol("kiln_run"), let kernel = module.symbol("kiln_run_kernel"),
              let prepare = module.symbol("kiln_prepare"), let update = module.symbol("kiln_update"),
              let threads = module.symbol("kiln_set_threads") else {
            throw .runtime(
                "the compiled program lacks its entry points kiln_prepare, kiln_run, kiln_update, kiln_run_kernel "
                    + "and kiln_set_threads")
        }
        self.tier = tier
        self.module = module
        CollectiveHook.bind(module)
        self.run = unsafeBitCast(run, to: Driver.self)
        self.prepare = unsafeBitCast(prepare, to: Driver.self)
        self.update = unsafeBitCast(update, to: Driver.self)
        runKernel = unsafeBitCast(kernel, to: (@convention(c) (Int32, UnsafeMutableRawPointer) -> Void).self)
        setThreads = unsafeBitCast(threads, to: (@convention(c) (Int32) -> Int32).self)
        copy = module.symbol("kiln_copy").map {
            unsafeBitCast($0, to: (@convention(c) (UnsafeMutableRawPointer, UnsafeRawPointer, Int, Int32) -> Int32).self)
        }
    }
}
