import KilnCodegen
import KilnIR
import KilnPasses
import KilnRuntime

extension Model {
    /// Standalone C for the model's inference graph, optimized like `compile()` does (batch norm
    /// folded, dropout gone, kernels fused, one planned arena), with its initial parameters (or
    /// `parameters`), ready to `write(to:)` a folder. With embedded weights the preparation kernels
    /// (folded batch norms, Winograd filters) run at emit time under tcc and their values are embedded. With `maxRAM` the emission fails unless the
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
            embedWeights: embedWeights,
            prepare: { ranges throws(KilnError) in
                try Executable(graph: optimized.graph, parameters: values, program: program, backend: .tcc).preparedBytes(ranges)
            },
            maxRAM: maxRAM)
    }
}
