import ArgumentParser
import Foundation
import Kiln

/// How every command that runs code executes it: `run`, `train`, `profile` and `bench`.
struct ExecutionOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "tcc (compile in milliseconds), native (the system C compiler, faster code) or tiered (tcc at once, native when built).",
        valueName: "BACKEND"))
    var backend: ExecutionBackend.Kind = .tiered

    @Option(parsing: .unconditional, help: "Threads for Kiln's loops and OpenBLAS together (default: KILN_NUM_THREADS, else OpenBLAS's count).")
    var threads: Int?

    @Flag(name: .customLong("wait-native"), help: "With the tiered backend, wait for the native code before running.")
    var waitForNative = false

    @Flag(help: "Time the candidate algorithms of each distinct convolution shape once on this machine and use the fastest (cached beside the native-code cache).")
    var tune = false

    func validate() throws {
        try reportingErrors { try NumericOptions.within("--threads", threads, BLASThreads.allowedCounts) }
    }

    /// The backend chosen; sets the thread count of the executables compiled from now on.
    func executionBackend() throws -> ExecutionBackend {
        if let threads { try BLASThreads.setDefault(threads) }
        return ExecutionBackend(backend)
    }

    /// `options` with `--tune` applied.
    func tuning(_ options: OptimizationOptions) -> OptimizationOptions {
        var options = options
        options.tune = tune
        return options
    }

    /// Waits for `executable`'s native code when `--wait-native` asks for it.
    func settle(_ executable: Executable) {
        if waitForNative { executable.waitForNativeTier() }
    }
}

extension ExecutionBackend.Kind: ExpressibleByArgument {}
