import KilnCodegen
import KilnIR
import KilnPasses
import KilnRuntime

/// The one path from a graph to an executable: passes, fusion and memory planning
/// (`GraphOptimizer`), C generation from the plans, compilation.
enum Compilation {
    /// Optimizes `graph` with `optimization`, generates its C and compiles it with `backend`,
    /// loading `parameters`.
    static func executable(
        _ graph: Graph, parameters: [String: TensorValue], isTraining: Bool, optimization: OptimizationOptions,
        backend: ExecutionBackend
    ) throws(KilnError) -> Executable {
        let optimized = try GraphOptimizer.optimize(graph, isTraining: isTraining, options: optimization)
        let program = try CodeGenerator.generate(optimized.graph, fusion: optimized.fusion, memory: optimized.memory)
        return try Executable(graph: optimized.graph, parameters: parameters, program: program, backend: backend)
    }
}
