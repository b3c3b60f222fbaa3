import KilnCodegen
import KilnIR
import KilnPasses
import KilnRuntime

/// The one path from a graph to an executable: passes, fusion and memory planning
/// (`GraphOptimizer`), C generation from the plans, compilation; first, with `optimization.tune`,
/// the timing of each convolution shape's candidates (`KernelTuner`). Each phase's time goes to
/// the current `CompilePhaseRecorder`, if any.
enum Compilation {
    /// Optimizes `graph` with `optimization`, generates its C and compiles it with `backend`,
    /// loading `parameters`.
    static func executable(
        _ graph: Graph, parameters: [String: TensorValue], isTraining: Bool, optimization: OptimizationOptions,
        backend: ExecutionBackend
    ) throws(KilnError) -> Executable {
        var optimization = optimization
        if optimization.tune {
            optimization.tuned = try CompilePhaseRecorder.measure("tuning") { () throws(KilnError) in
                try KernelTuner.tune(
                    graph, isTraining: isTraining, optimization: optimization, backend: backend, cache: KernelTuningCache.standard())
            }
        }
        let optimized = try CompilePhaseRecorder.measure("passes") { () throws(KilnError) in
            try GraphOptimizer.optimize(graph, isTraining: isTraining, options: optimization)
        }
        let program = try CompilePhaseRecorder.measure("code generation") { () throws(KilnError) in
            try CodeGenerator.generate(optimized.graph, fusion: optimized.fusion, memory: optimized.memory, kernelPlan: optimized.kernelPlan)
        }
        let executable = try Executable(graph: optimized.graph, parameters: parameters, program: program, backend: backend)
        CompilePhaseRecorder.current?.record(
            backend.kind == .native ? phaseName(executable) : Tier.tcc.rawValue, seconds: executable.compileSeconds)
        return executable
    }

    /// The compile phase of `executable`'s current code: its compiler's name, `native cache hit`
    /// when the native object was loaded from the cache.
    static func phaseName(_ executable: Executable) -> String {
        executable.nativeCacheOutcome == .cacheHit ? "native cache hit" : executable.backendName
    }
}
