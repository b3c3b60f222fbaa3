import KilnIR

/// Converts a PyTorch `state_dict` (as saved by `safetensors.torch.save_file`) to a Kiln model's
/// parameter names and layouts:
///
/// - names: `renaming` maps PyTorch module paths to Kiln layer names, exactly or as a prefix
///   (`["features.0": "conv1"]` turns `features.0.weight` into `conv1.weight`); names not matched
///   stay as they are (batch norm's `weight`, `bias`, `running_mean` and `running_var` are the same
///   in both);
/// - layouts: a matrix that is the second operand of a matrix product in Kiln (a `Linear` weight,
///   `[inputs, outputs]`) is transposed from PyTorch's `[outputs, inputs]`; convolution weights
///   are `[outputs, inputs/groups, kh, kw]` in both;
/// - bookkeeping: `num_batches_tracked` is dropped.
///
/// Batch-norm momentum differs by convention (Kiln weighs the old running value, PyTorch the new
/// one: Kiln's 0.9 is PyTorch's 0.1); it matters only when training further.
public enum PyTorchWeights {
    /// The state dict's tensors under Kiln's names and layouts for `model`.
    ///
    /// - Throws: `KilnError.invalidArgument` when a tensor that maps to a parameter has a shape
    ///   that neither matches it nor, for a matrix-product weight, matches it transposed.
    public static func convert(
        _ stateDict: [String: TensorValue], for model: Model, renaming: [String: String] = [:]
    ) throws(KilnError) -> [String: TensorValue] {
        let graph = model.graph
        let matrixWeights = Set(graph.nodes.filter { $0.op == "matmul" && !$0.attributes.bool("transpose_b", default: false) }
            .compactMap { $0.inputs.count > 1 ? $0.inputs[1] : nil })
        var converted: [String: TensorValue] = [:]
        for (torchName, value) in stateDict where !torchName.hasSuffix("num_batches_tracked") {
            let name = renamed(torchName, renaming)
            guard let node = graph.node(named: name), node.op == Node.parameterOp, value.shape != node.type.shape else {
                converted[name] = value
                continue
            }
            let dimensions = value.shape.dimensions
            guard matrixWeights.contains(node.id), dimensions.count == 2, Array(dimensions.reversed()) == node.type.shape.dimensions else {
                throw .invalidArgument(
                    "PyTorch tensor '\(torchName)' (as '\(name)') has shape \(value.shape) but the model expects \(node.type.shape)")
            }
            converted[name] = transposed(value)
        }
        return converted
    }

    /// `name` with the longest matching key of `renaming` (the whole name or a dotted prefix)
    /// replaced by its value.
    public static func renamed(_ name: String, _ renaming: [String: String]) -> String {
        let match = renaming.keys.filter { name == $0 || name.hasPrefix($0 + ".") }.max { $0.count < $1.count }
        guard let match, let replacement = renaming[match] else { return name }
        return replacement + name.dropFirst(match.count)
    }

    /// The transpose of a matrix.
    static func transposed(_ matrix: TensorValue) -> TensorValue {
        let rows = matrix.shape[0], columns = matrix.shape[1]
        var floats = [Float](repeating: 0, count: rows * columns)
        for row in 0..<rows {
            for column in 0..<columns { floats[column * rows + row] = matrix.floats[row * columns + column] }
        }
        return TensorValue(shape: [columns, rows], floats: floats)
    }
}

extension Model {
    /// This model with the parameters of a PyTorch state dict saved as safetensors, converted by
    /// `PyTorchWeights.convert` and checked under `matching`.
    public func loading(
        pytorch path: String, renaming: [String: String] = [:], matching: ParameterMatching = .strict
    ) throws(KilnError) -> Model {
        let stateDict = try SafeTensors.read(path).tensors
        return try loading(
            PyTorchWeights.convert(stateDict, for: self, renaming: renaming), matching: matching, source: "PyTorch weights \(path)")
    }
}
