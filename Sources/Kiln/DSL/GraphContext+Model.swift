import KilnIR

extension GraphContext {
    /// Declares a graph input named `name`.
    public func input(
        _ name: String, _ shape: Shape, dtype: DType = .float32, file: String = #fileID, line: Int = #line
    ) -> Tensor {
        input(name, TensorType(dtype, shape), file: file, line: line)
    }

    /// Declares `tensor` as the graph output named `name`.
    public func output(_ name: String, _ tensor: Tensor) {
        if builder.graph.outputs.contains(where: { $0.name == name }) {
            record(.invalidArgument("two outputs are named '\(name)'"))
            return
        }
        builder.graph.outputs.append(GraphOutput(name: name, node: tensor.id))
    }

    /// Declares the scalar loss a training step minimizes (ignored when building for inference,
    /// so that the loss and its label inputs are pruned from inference graphs).
    public func loss(_ tensor: Tensor, file: String = #fileID, line: Int = #line) {
        guard isTraining else { return }
        guard tensor.shape.rank == 0 else {
            record(.invalidArgument("the loss must be a scalar, got \(tensor.type) (\(file):\(line)); reduce it with mean() or sum()"))
            return
        }
        output("loss", tensor)
    }

    /// A float32 constant tensor of `shape` holding `values` (one value fills it).
    public func constant(_ values: [Double], shape: Shape, file: String = #fileID, line: Int = #line) -> Tensor {
        guard values.count == 1 || values.count == shape.elementCount else {
            record(.invalidArgument("constant of shape \(shape) needs 1 or \(shape.elementCount) values, got \(values.count) (\(file):\(line))"))
            return constant(0, file: file, line: line)
        }
        return constant(values, shape: shape, file: file as String?, line: line as Int?)
    }
}
