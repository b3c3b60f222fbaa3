import KilnIR

/// Applies an affine transformation: `x · W + b`, where `W` has shape `[inputs, outputs]` and `b`
/// has shape `[outputs]`. The input's last axis must have `inputs` elements.
///
/// Parameters: `inputs·outputs + outputs` (without bias: `inputs·outputs`). Weights default to
/// He-uniform (suits ReLU); biases to zero.
public final class Linear: Layer {
    /// `[inputs, outputs]`.
    public let weight: Parameter
    /// `[outputs]`, or nil without bias.
    public let bias: Parameter?
    public let name: String?

    /// Creates a linear layer.
    public init(
        _ inputs: Int, _ outputs: Int, bias: Bool = true, name: String? = nil,
        weightInitializer: ParameterInitializer? = nil, biasInitializer: ParameterInitializer = .zeros
    ) {
        self.name = name
        self.weight = Parameter(
            "weight", shape: [inputs, outputs], initializer: weightInitializer ?? .heUniform(fanIn: inputs))
        self.bias = bias ? Parameter("bias", shape: [outputs], initializer: biasInitializer) : nil
    }

    public func forward(_ x: Tensor) -> Tensor {
        let product = x.matmul(node(of: weight, for: x))
        guard let bias else { return product }
        return product + node(of: bias, for: x)
    }
}
