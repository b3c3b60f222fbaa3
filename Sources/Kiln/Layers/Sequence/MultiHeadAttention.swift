import KilnIR
import KilnOps

/// Multi-head attention: concat(head₁, ..., head_h)·W_O with headᵢ = Attention(Q·W_Qᵢ, K·W_Kᵢ,
/// V·W_Vᵢ), scaled dot-product attention per head of width `dModel/heads`.
///
/// The query, key and value projections are separate `[features, dModel]` matrices, or with
/// `packed` one `[dModel, 3·dModel]` matrix (one GEMM for self-attention). Parameters (with
/// bias): `4·dModel² + 4·dModel` when keys and values have `dModel` features. Weights are
/// Xavier-uniform, biases zero. `heads` must divide `dModel`; otherwise building the model
/// records the error and `compile()` throws it.
public final class MultiHeadAttention: Layer {
    /// The projections' width.
    public let dModel: Int
    /// The head count.
    public let heads: Int
    /// Whether the query, key and value projections are one packed matrix.
    public let packed: Bool
    /// Dropout probability on the attention weights (training only; PyTorch's `dropout`).
    public let dropout: Double
    public let name: String?
    private let inputProjections: [(weight: Parameter, bias: Parameter?)]
    private let outputProjection: (weight: Parameter, bias: Parameter?)

    /// Creates multi-head attention over queries of `dModel` features and keys and values of
    /// `keyFeatures` and `valueFeatures` (default `dModel`; packed projections need all three equal),
    /// with `dropout` on the attention weights in training.
    public init(
        dModel: Int, heads: Int, keyFeatures: Int? = nil, valueFeatures: Int? = nil, packed: Bool = false,
        bias: Bool = true, dropout: Double = 0, name: String? = nil
    ) {
        self.dModel = dModel
        self.heads = heads
        self.packed = packed
        self.dropout = dropout
        self.name = name
        func projection(_ prefix: String, inputs: Int, outputs: Int) -> (weight: Parameter, bias: Parameter?) {
            (Parameter("\(prefix)_weight", shape: [inputs, outputs],
                       initializer: .xavierUniform(fanIn: inputs, fanOut: outputs, gain: 1)),
             bias ? Parameter("\(prefix)_bias", shape: [outputs], initializer: .zeros) : nil)
        }
        if packed {
            inputProjections = [projection("qkv", inputs: dModel, outputs: 3 * dModel)]
        } else {
            inputProjections = [
                projection("query", inputs: dModel, outputs: dModel),
                projection("key", inputs: keyFeatures ?? dModel, outputs: dModel),
                projection("value", inputs: valueFeatures ?? dModel, outputs: dModel),
            ]
        }
        outputProjection = projection("output", inputs: dModel, outputs: dModel)
    }

    /// Self-attention of `x` (`[batch, L, dModel]`) without a mask.
    public func forward(_ x: Tensor) -> Tensor { attend(query: x, key: x, value: x).output }

    /// The attention output `[batch, Lq, dModel]` of `query` over `key` and `value`, with an
    /// optional float32 0/1 mask broadcasting to `[batch, Lq, Lk]`.
    public func callAsFunction(
        query: Tensor, key: Tensor, value: Tensor, mask: Tensor? = nil, file: String = #fileID, line: Int = #line
    ) -> Tensor {
        attend(query: query, key: key, value: value, mask: mask, file: file, line: line).output
    }

    /// The attention output and the weights `[batch, heads, Lq, Lk]`.
    public func attend(
        query: Tensor, key: Tensor, value: Tensor, mask: Tensor? = nil, file: String = #fileID, line: Int = #line
    ) -> Attended {
        let context = query.context
        return calling(context, file: file, line: line) {
            let affine = { (projection: (weight: Parameter, bias: Parameter?)) in
                AffineWeights(weight: self.node(of: projection.weight, for: query).id,
                              bias: projection.bias.map { self.node(of: $0, for: query).id })
            }
            let projections: AttentionProjections = packed
                ? .packed(affine(inputProjections[0]))
                : .separate(query: affine(inputProjections[0]), key: affine(inputProjections[1]), value: affine(inputProjections[2]))
            let output = affine(outputProjection)
            let inputs = [query, key, value] + (mask.map { [$0] } ?? [])
            let weightDropout = context.attentionDropout(probability: dropout, file: file, line: line)
            return context.attended(inputs, file: file, line: line) { builder throws(KilnError) in
                try builder.multiHeadAttention(
                    query: query.id, key: key.id, value: value.id, heads: heads, projections: projections, output: output,
                    mask: mask?.id, dropout: weightDropout)
            }
        }
    }
}
