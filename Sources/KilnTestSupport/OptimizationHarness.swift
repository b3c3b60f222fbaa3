import Kiln
import KilnCodegen
import KilnIR
import KilnPasses
import KilnRuntime

/// Compiles graphs with and without optimization and compares what they compute.
public enum OptimizationHarness {
    /// `graph` optimized with `options` (verifying the graph after every pass, and checking the
    /// memory plan with `MemoryPlanChecker`), compiled, with `parameters` loaded.
    public static func executable(
        _ graph: Graph, parameters: [String: TensorValue], isTraining: Bool = false,
        options: OptimizationOptions = .standard
    ) throws(KilnError) -> (executable: Executable, optimized: OptimizedGraph) {
        var options = options
        options.verifyAfterEachPass = true
        let optimized = try GraphOptimizer.optimize(graph, isTraining: isTraining, options: options)
        try MemoryPlanChecker.check(optimized.graph, fusion: optimized.fusion, memory: optimized.memory)
        let program = try CodeGenerator.generate(optimized.graph, fusion: optimized.fusion, memory: optimized.memory, kernelPlan: optimized.kernelPlan)
        return (try Executable(graph: optimized.graph, parameters: parameters, program: program), optimized)
    }

    /// Runs `graph` unoptimized and optimized on the same feeds (one run per feed, so that state
    /// updates accumulate) and returns the worst normwise relative error over every output of every
    /// run and over the final parameters (infinity when an output or parameter is missing).
    public static func worstError(
        _ graph: Graph, parameters: [String: TensorValue], feeds: [[String: TensorValue]], isTraining: Bool = false
    ) throws(KilnError) -> Double {
        let plain = try executable(graph, parameters: parameters, isTraining: isTraining, options: .none).executable
        let optimized = try executable(graph, parameters: parameters, isTraining: isTraining).executable
        var worst = 0.0
        for feed in feeds {
            let expected = try plain.run(feed), actual = try optimized.run(feed)
            for output in graph.outputs {
                guard let e = expected[output.name], let a = actual[output.name] else { return .infinity }
                worst = max(worst, Approximate.normwiseRelativeError(a.doubles, e.doubles))
            }
        }
        let expectedState = plain.parameters(), actualState = optimized.parameters()
        for (name, value) in expectedState {
            guard let actual = actualState[name] else { return .infinity }
            worst = max(worst, Approximate.normwiseRelativeError(actual.doubles, value.doubles))
        }
        return worst
    }
}
