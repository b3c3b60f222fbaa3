import KilnIR

// Activations of catalog §1.3, each a free function (the layers below wrap them).

/// Leaky ReLU: x for x > 0, α·x otherwise (PyTorch's default α = 0.01; the notes also use 0.1).
public func leakyRelu(_ x: Tensor, alpha: Double = 0.01, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("leaky_relu", attributes: ["alpha": .float(alpha)], file: file, line: line)
}

/// PReLU: leaky ReLU with a learnable slope (`slope` broadcast per channel or shared).
public func prelu(_ x: Tensor, slope: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("prelu", [slope], file: file, line: line)
}

/// ELU: x for x > 0, α·(eˣ − 1) otherwise.
public func elu(_ x: Tensor, alpha: Double = 1, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("elu", attributes: ["alpha": .float(alpha)], file: file, line: line)
}

/// SELU: λ·ELU(x, α) with the self-normalizing constants.
public func selu(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor { x.apply("selu", file: file, line: line) }

/// SiLU / swish with β = 1: x·σ(x).
public func silu(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor { x.apply("silu", file: file, line: line) }

/// Swish: x·σ(βx).
public func swish(_ x: Tensor, beta: Double = 1, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("swish", attributes: ["beta": .float(beta)], file: file, line: line)
}

/// Mish: x·tanh(softplus(x)) (YOLOv4's backbone activation).
public func mish(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor { x.apply("mish", file: file, line: line) }

/// ReLU6: min(max(0, x), 6) (MobileNet; keeps resolution in low precision).
public func relu6(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor { x.apply("relu6", file: file, line: line) }

/// Hard sigmoid: ReLU6(x + 3)/6.
public func hardSigmoid(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("hard_sigmoid", file: file, line: line)
}

/// Hard swish: x·ReLU6(x + 3)/6 (MobileNetV3).
public func hardSwish(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("hard_swish", file: file, line: line)
}

/// Softplus: log(1 + eˣ), computed stably.
public func softplus(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("softplus", file: file, line: line)
}

/// GELU: x·Φ(x) (exact, with erf), or its tanh approximation.
public func gelu(_ x: Tensor, approximateTanh: Bool = false, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("gelu", attributes: approximateTanh ? ["approximate": .string("tanh")] : [:], file: file, line: line)
}

/// A layer applying a parameter-free activation function.
public final class Activation: Layer {
    public let name: String?
    private let function: @Sendable (Tensor) -> Tensor

    /// Wraps `function`, naming the layer `name`.
    public init(_ name: String, _ function: @escaping @Sendable (Tensor) -> Tensor) {
        self.name = name
        self.function = function
    }

    public func forward(_ x: Tensor) -> Tensor { function(x) }

    /// ReLU6 as a layer.
    public static func relu6() -> Activation { Activation("relu6") { Kiln.relu6($0) } }
    /// Hard swish as a layer.
    public static func hardSwish() -> Activation { Activation("hard_swish") { Kiln.hardSwish($0) } }
    /// Hard sigmoid as a layer.
    public static func hardSigmoid() -> Activation { Activation("hard_sigmoid") { Kiln.hardSigmoid($0) } }
    /// SiLU as a layer.
    public static func silu() -> Activation { Activation("silu") { Kiln.silu($0) } }
    /// Leaky ReLU as a layer.
    public static func leakyRelu(alpha: Double = 0.01) -> Activation { Activation("leaky_relu") { Kiln.leakyRelu($0, alpha: alpha) } }
}
