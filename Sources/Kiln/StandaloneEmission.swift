import KilnCodegen
import KilnIR

extension Model {
    /// Standalone C for the model's inference graph with its current initial parameters (or
    /// `parameters`), ready to `write(to:)` a folder.
    public func standaloneProgram(
        name: String? = nil, blas: StandaloneBLAS = .builtin, embedWeights: Bool = false,
        parameters: [String: TensorValue]? = nil
    ) throws(KilnError) -> StandaloneProgram {
        try validate()
        let values = if let parameters { parameters } else { try initialParameters() }
        let program = try CodeGenerator.generate(graph)
        return try StandaloneProgram(
            graph: graph, program: program, parameters: values, name: name ?? self.name, blas: blas, embedWeights: embedWeights)
    }
}
