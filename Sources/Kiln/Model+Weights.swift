import KilnIR

extension Model {
    /// This model with the parameters in `tensors` taking those values (the rest keep their
    /// initial values, or are required, depending on `matching`): trained weights for inference,
    /// emission, profiling or fine-tuning.
    ///
    /// ```swift
    /// let trained = try model.loading(trainer.trainedParameters())
    /// let exe = try trained.compile()
    /// ```
    ///
    /// - Throws: `KilnError.invalidArgument` naming every missing, unexpected and wrongly shaped
    ///   tensor, after the model's own build error if it has one.
    public func loading(
        _ tensors: [String: TensorValue], matching: ParameterMatching = .strict, source: String = "parameters"
    ) throws(KilnError) -> Model {
        try validate()
        let names = try graph.parametersToLoad(tensors.mapValues(\.type), matching: matching, source: source)
        var model = self
        for name in names { model.givenParameters[name] = tensors[name] }
        return model
    }

    /// This model with its parameters read from a safetensors file (one written by
    /// `kiln train --save` or `SafeTensors.write`, or by the `safetensors` Python package with
    /// Kiln's parameter names and layouts).
    public func loading(safetensors path: String, matching: ParameterMatching = .strict) throws(KilnError) -> Model {
        try loading(SafeTensors.read(path).tensors, matching: matching, source: "weights file \(path)")
    }
}
