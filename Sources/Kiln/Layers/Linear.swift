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
    /// DropConnect probability: in training each weight is dropped with this probability (0: off).
    public let dropConnect: Double

    /// Creates a linear layer.
    public init(
        _ inputs: Int, _ outputs: Int, bias: Bool = true, name: String? = nil, dropConnect: Double = 0,
        weightInitializer: ParameterInitializer? = nil, biasInitializer: ParameterInitializer = .zeros
    ) {
        self.name = name
        self.dropConnect = dropConnect
        self.weight = Parameter(
            "weight", shape: [inputs, outputs], initializer: weightInitializer ?? .heUniform(fanIn: inputs))
        self.bias = bias ? Parameter("bias", shape: [outputs], initializer: biasInitializer) : nil
    }

    public func forward(_ x: Tensor) -> Tensor {
        let product = x.matmul(Kiln.dropConnect(node(of: weight, for: x), p: dropConnect))
        guard let bias else { return product }
        return product + node(of: bias, for: x)
    }
}
