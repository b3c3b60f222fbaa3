import KilnCodegen
import KilnIR
import KilnPasses

extension Model {
    /// Standalone C for the model's inference graph, optimized like `compile()` does (batch norm
    /// folded, dropout gone, kernels fused, one planned arena), with its initial parameters (or
    /// `parameters`), ready to `write(to:)` a folder. With `maxRAM` the emission fails unless the
    /// workspace and prepared buffer fit in that many bytes.
    public func standaloneProgram(
        name: String? = nil, blas: StandaloneBLAS = .builtin, embedWeights: Bool = false,
        parameters: [String: TensorValue]? = nil, optimization: OptimizationOptions = .standard, maxRAM: Int? = nil
    ) throws(KilnError) -> StandaloneProgram {
        try validate()
        let values = if let parameters { parameters } else { try initialParameters() }
        let optimized = try GraphOptimizer.optimize(graph, isTraining: false, options: optimization)
        let program = try CodeGenerator.generate(optimized.graph, fusion: optimized.fusion, memory: optimized.memory, kernelPlan: optimized.kernelPlan)
        return try StandaloneProgram(
            graph: optimized.graph, program: program, parameters: values, name: name ?? self.name, blas: blas,
            embedWeights: embedWeights, maxRAM: maxRAM)
    }
}
