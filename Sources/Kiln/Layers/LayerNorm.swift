import KilnIR
import KilnOps

/// Layer normalization over the last `normalizedRank` axes, (x − μ)/√(σ² + ε)·γ + β, with γ and β
/// (either optional) of the shape of those axes. Same computation in training and inference.
public func layerNorm(
    _ x: Tensor, gamma: Tensor? = nil, beta: Tensor? = nil, normalizedRank: Int = 1, eps: Double = 1e-5,
    file: String = #fileID, line: Int = #line
) -> Tensor {
    x.context.composite(fallback: x, file: file, line: line) { builder throws(KilnError) in
        try builder.layerNorm(x.id, gamma: gamma?.id, beta: beta?.id, normalizedRank: normalizedRank, eps: eps)
    }
}

/// Layer normalization over the last axis of `dimension` features, with a learned scale γ
/// (initialized to 1) and shift β (initialized to 0). Parameters: `2·dimension`.
public final class LayerNorm: Layer {
    /// γ, `[dimension]`.
    public let gamma: Parameter
    /// β, `[dimension]`.
    public let beta: Parameter
    /// ε, added to the variance.
    public let eps: Double
    public let name: String?

    /// Creates a layer normalization over `dimension` features.
    public init(_ dimension: Int, eps: Double = 1e-5, name: String? = nil) {
        self.gamma = Parameter("gamma", shape: [dimension], initializer: .constant(1))
        self.beta = Parameter("beta", shape: [dimension], initializer: .zeros)
        self.eps = eps
        self.name = name
    }

    public func forward(_ x: Tensor) -> Tensor {
        layerNorm(x, gamma: node(of: gamma, for: x), beta: node(of: beta, for: x), eps: eps)
    }
}
