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

/// Maxout: the maximum over groups of `pieces` consecutive entries of `axis` (channels by
/// default), so `axis` shrinks by the factor `pieces`.
public func maxout(_ x: Tensor, pieces: Int, axis: Int = 1, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("maxout", attributes: ["pieces": .int(pieces), "axis": .int(axis)], file: file, line: line)
}

extension Tensor {
    /// `leakyRelu` as a method.
    public func leakyRelu(alpha: Double = 0.01, file: String = #fileID, line: Int = #line) -> Tensor {
        Kiln.leakyRelu(self, alpha: alpha, file: file, line: line)
    }
    /// `prelu` as a method.
    public func prelu(slope: Tensor, file: String = #fileID, line: Int = #line) -> Tensor { Kiln.prelu(self, slope: slope, file: file, line: line) }
    /// `elu` as a method.
    public func elu(alpha: Double = 1, file: String = #fileID, line: Int = #line) -> Tensor { Kiln.elu(self, alpha: alpha, file: file, line: line) }
    /// `selu` as a method.
    public func selu(file: String = #fileID, line: Int = #line) -> Tensor { Kiln.selu(self, file: file, line: line) }
    /// `silu` as a method.
    public func silu(file: String = #fileID, line: Int = #line) -> Tensor { Kiln.silu(self, file: file, line: line) }
    /// `swish` as a method.
    public func swish(beta: Double = 1, file: String = #fileID, line: Int = #line) -> Tensor { Kiln.swish(self, beta: beta, file: file, line: line) }
    /// `mish` as a method.
    public func mish(file: String = #fileID, line: Int = #line) -> Tensor { Kiln.mish(self, file: file, line: line) }
    /// `relu6` as a method.
    public func relu6(file: String = #fileID, line: Int = #line) -> Tensor { Kiln.relu6(self, file: file, line: line) }
    /// `hardSigmoid` as a method.
    public func hardSigmoid(file: String = #fileID, line: Int = #line) -> Tensor { Kiln.hardSigmoid(self, file: file, line: line) }
    /// `hardSwish` as a method.
    public func hardSwish(file: String = #fileID, line: Int = #line) -> Tensor { Kiln.hardSwish(self, file: file, line: line) }
    /// `softplus` as a method.
    public func softplus(file: String = #fileID, line: Int = #line) -> Tensor { Kiln.softplus(self, file: file, line: line) }
    /// `gelu` as a method.
    public func gelu(approximateTanh: Bool = false, file: String = #fileID, line: Int = #line) -> Tensor {
        Kiln.gelu(self, approximateTanh: approximateTanh, file: file, line: line)
    }
    /// `maxout` as a method.
    public func maxout(pieces: Int, axis: Int = 1, file: String = #fileID, line: Int = #line) -> Tensor {
        Kiln.maxout(self, pieces: pieces, axis: axis, file: file, line: line)
    }
}
