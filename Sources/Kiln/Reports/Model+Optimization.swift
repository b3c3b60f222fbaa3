import KilnIR
import KilnPasses

extension Model {
    /// The optimization report of the inference graph: kernels and bytes moved before and after
    /// fusion, the arena against its lower bound and the naive sum, and the plans.
    public func optimizationReport(optimization: OptimizationOptions = .standard) throws(KilnError) -> OptimizationReport {
        try validate()
        let optimized = try GraphOptimizer.optimize(graph, isTraining: false, options: optimization)
        return OptimizationReport(original: graph, optimized: optimized, isTraining: false)
    }

    /// The optimization report of the training step with `optimizer`.
    public func trainingOptimizationReport(
        optimizer: any Optimizer = Adam(), optimization: OptimizationOptions = .standard
    ) throws(KilnError) -> OptimizationReport {
        try validate()
        let step = try Trainer.stepGraph(model: self, optimizer: optimizer)
        let optimized = try GraphOptimizer.optimize(step, isTraining: true, options: optimization)
        return OptimizationReport(original: step, optimized: optimized, isTraining: true)
    }
}
