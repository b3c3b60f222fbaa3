import KilnIR

/// Where a Transformer layer normalizes.
public enum NormPlacement: String, Sendable, CaseIterable {
    /// After each residual add, `x = LN(x + sublayer(x))` (the original Transformer).
    case post
    /// Before each sublayer, `x = x + sublayer(LN(x))` (trains more stably when deep).
    case pre
}

/// The activation of a Transformer's feed-forward block.
public enum FeedForwardActivation: String, Sendable, CaseIterable {
    /// max(0, x), the original Transformer.
    case relu
    /// x·Φ(x), as in BERT and GPT.
    case gelu
}

/// The position-wise feed-forward block: `Linear(dModel, hidden) → activation → dropout →
/// Linear(hidden, dModel)`.
public final class FeedForward: Layer {
    let first: Linear
    let second: Linear
    /// The activation between the two linear maps.
    public let activation: FeedForwardActivation
    /// Dropout probability after the activation (training only).
    public let dropout: Double
    public let name: String?

    /// Creates the block; the linear maps are named `<name>.1` and `<name>.2`.
    public init(dModel: Int, hidden: Int, activation: FeedForwardActivation = .relu, dropout: Double = 0, name: String? = nil) {
        let prefix = name ?? "feed_forward"
        first = Linear(dModel, hidden, name: "\(prefix).1")
        second = Linear(hidden, dModel, name: "\(prefix).2", weightInitializer: .xavierUniform(fanIn: hidden, fanOut: dModel, gain: 1))
        self.activation = activation
        self.dropout = dropout
        self.name = name
    }

    public func forward(_ x: Tensor) -> Tensor {
        let hidden = first(x)
        let activated = activation == .relu ? relu(hidden) : gelu(hidden)
        return second(Kiln.dropout(activated, p: dropout))
    }
}

/// One Transformer encoder layer: self-attention and a feed-forward block, each with dropout on
/// its output, a residual connection and layer normalization (`norm`: after the residual, or
/// before the sublayer). Input and output `[batch, L, dModel]`. As in PyTorch, `dropout` also
/// drops attention weights.
///
/// Parameters: multi-head attention `4·d² + 4·d`, feed-forward `2·d·f + d + f`, two layer norms
/// `4·d` (d = dModel, f = feedForward). Sublayers are named `<name>.self_attention`,
/// `<name>.feed_forward`, `<name>.norm1` and `<name>.norm2`.
public final class TransformerEncoderLayer: Layer {
    /// The self-attention.
    public let selfAttention: MultiHeadAttention
    /// The feed-forward block.
    public let feedForward: FeedForward
    let norms: [LayerNorm]
    /// Where the layer normalizes.
    public let norm: NormPlacement
    /// Dropout probability on each sublayer's output and on the attention weights (training only).
    public let dropout: Double
    public let name: String?

    /// Creates an encoder layer; `heads` must divide `dModel`.
    public init(
        dModel: Int, heads: Int, feedForward: Int, dropout: Double = 0.1, norm: NormPlacement = .post,
        activation: FeedForwardActivation = .relu, packedProjections: Bool = true, name: String? = nil
    ) {
        let prefix = name ?? "encoder_layer"
        selfAttention = MultiHeadAttention(
            dModel: dModel, heads: heads, packed: packedProjections, dropout: dropout, name: "\(prefix).self_attention")
        self.feedForward = FeedForward(
            dModel: dModel, hidden: feedForward, activation: activation, dropout: dropout, name: "\(prefix).feed_forward")
        norms = [LayerNorm(dModel, name: "\(prefix).norm1"), LayerNorm(dModel, name: "\(prefix).norm2")]
        self.norm = norm
        self.dropout = dropout
        self.name = name
    }

    public func forward(_ x: Tensor) -> Tensor { encode(x, mask: nil) }

    /// Encodes `x` with an optional float32 0/1 mask broadcasting to `[batch, L, L]` (padding).
    public func callAsFunction(_ x: Tensor, mask: Tensor?, file: String = #fileID, line: Int = #line) -> Tensor {
        calling(x.context, file: file, line: line) { encode(x, mask: mask) }
    }

    private func encode(_ x: Tensor, mask: Tensor?) -> Tensor {
        var x = x
        x = residual(x, norm: norms[0], placement: norm, dropout: dropout) { selfAttention(query: $0, key: $0, value: $0, mask: mask) }
        x = residual(x, norm: norms[1], placement: norm, dropout: dropout) { feedForward($0) }
        return x
    }
}

/// One Transformer decoder layer: masked (causal) self-attention, attention over the encoder's
/// output (the memory), and a feed-forward block, each with dropout, a residual connection and
/// layer normalization placed by `norm` (`dropout` also drops attention weights, as in PyTorch).
/// Input and output `[batch, L, dModel]`; memory
/// `[batch, S, dModel]`. Called without memory (as a plain `Layer`) it is a decoder-only
/// (GPT-style) block: causal self-attention and the feed-forward block.
public final class TransformerDecoderLayer: Layer {
    /// The causal self-attention.
    public let selfAttention: MultiHeadAttention
    /// The attention over the memory.
    public let crossAttention: MultiHeadAttention
    /// The feed-forward block.
    public let feedForward: FeedForward
    let norms: [LayerNorm]
    /// Where the layer normalizes.
    public let norm: NormPlacement
    /// Dropout probability on each sublayer's output and on the attention weights (training only).
    public let dropout: Double
    public let name: String?

    /// Creates a decoder layer; `heads` must divide `dModel`.
    public init(
        dModel: Int, heads: Int, feedForward: Int, dropout: Double = 0.1, norm: NormPlacement = .post,
        activation: FeedForwardActivation = .relu, packedProjections: Bool = true, name: String? = nil
    ) {
        let prefix = name ?? "decoder_layer"
        selfAttention = MultiHeadAttention(
            dModel: dModel, heads: heads, packed: packedProjections, dropout: dropout, name: "\(prefix).self_attention")
        crossAttention = MultiHeadAttention(dModel: dModel, heads: heads, dropout: dropout, name: "\(prefix).cross_attention")
        self.feedForward = FeedForward(
            dModel: dModel, hidden: feedForward, activation: activation, dropout: dropout, name: "\(prefix).feed_forward")
        norms = (1...3).map { LayerNorm(dModel, name: "\(prefix).norm\($0)") }
        self.norm = norm
        self.dropout = dropout
        self.name = name
    }

    public func forward(_ x: Tensor) -> Tensor { decode(x, memory: nil, memoryMask: nil) }

    /// Decodes `x` attending to `memory`, with an optional mask over the memory broadcasting to
    /// `[batch, L, S]` (padding). The self-attention is always causal.
    public func callAsFunction(
        _ x: Tensor, memory: Tensor, memoryMask: Tensor? = nil, file: String = #fileID, line: Int = #line
    ) -> Tensor {
        calling(x.context, file: file, line: line) { decode(x, memory: memory, memoryMask: memoryMask) }
    }

    private func decode(_ x: Tensor, memory: Tensor?, memoryMask: Tensor?) -> Tensor {
        let length = x.shape.dimensions.dropLast().last ?? 1
        let causal = x.context.causalMask(queries: length, keys: length)
        var x = x
        x = residual(x, norm: norms[0], placement: norm, dropout: dropout) { selfAttention(query: $0, key: $0, value: $0, mask: causal) }
        if let memory {
            x = residual(x, norm: norms[1], placement: norm, dropout: dropout) {
                crossAttention(query: $0, key: memory, value: memory, mask: memoryMask)
            }
        }
        x = residual(x, norm: norms[2], placement: norm, dropout: dropout) { feedForward($0) }
        return x
    }
}

/// `LN(x + dropout(sublayer(x)))` (post-norm) or `x + dropout(sublayer(LN(x)))` (pre-norm).
func residual(
    _ x: Tensor, norm: LayerNorm, placement: NormPlacement, dropout p: Double, _ sublayer: (Tensor) -> Tensor
) -> Tensor {
    switch placement {
    case .post: norm(x + dropout(sublayer(x), p: p))
    case .pre: x + dropout(sublayer(norm(x)), p: p)
    }
}
