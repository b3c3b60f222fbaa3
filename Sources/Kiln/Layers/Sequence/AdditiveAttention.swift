import KilnIR
import KilnOps

/// Additive (Bahdanau) attention, the seq2seq decoder's attention over the encoder outputs:
/// score(q, k) = vᵀ·tanh(W·q + U·k + b), weights softmax over the keys, output the weighted sum
/// of the values. Parameters: `(queryFeatures + keyFeatures + 2)·width`; W, U Xavier-uniform,
/// v uniform, b zero.
public final class AdditiveAttention: Layer {
    /// W, `[queryFeatures, width]`.
    public let queryWeight: Parameter
    /// U, `[keyFeatures, width]`.
    public let keyWeight: Parameter
    /// b, `[width]`.
    public let bias: Parameter
    /// v, `[width]`.
    public let score: Parameter
    public let name: String?

    /// Creates additive attention of queries with `queryFeatures` over keys with `keyFeatures`,
    /// through a hidden layer of `width`.
    public init(queryFeatures: Int, keyFeatures: Int, width: Int, name: String? = nil) {
        queryWeight = Parameter(
            "query_weight", shape: [queryFeatures, width], initializer: .xavierUniform(fanIn: queryFeatures, fanOut: width, gain: 1))
        keyWeight = Parameter(
            "key_weight", shape: [keyFeatures, width], initializer: .xavierUniform(fanIn: keyFeatures, fanOut: width, gain: 1))
        bias = Parameter("bias", shape: [width], initializer: .zeros)
        let bound = 1 / Double(width).squareRoot()
        score = Parameter("score", shape: [width], initializer: .uniform(low: -bound, high: bound))
        self.name = name
    }

    /// Self-attention of `x` (`[batch, L, features]`, queries and keys of the same width).
    public func forward(_ x: Tensor) -> Tensor { callAsFunction(query: x, keys: x, values: x).output }

    /// The keys' half of the score, `U·k + b` (`[batch, Lk, width]`): compute it once per source
    /// sequence and pass it to every decoder step.
    public func projectKeys(_ keys: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
        calling(keys.context, file: file, line: line) {
            let weights = self.weights(for: keys)
            return keys.context.composite(fallback: keys, file: file, line: line) { builder throws(KilnError) in
                try builder.additiveAttentionKeys(keys.id, weights: weights)
            }
        }
    }

    /// Attention of `query` (`[batch, Lq, queryFeatures]`; a decoder state is `Lq = 1`) over keys
    /// already projected by `projectKeys`, weighting `values` (`[batch, Lk, dv]`); an optional
    /// float32 0/1 mask broadcasts to `[batch, Lq, Lk]`.
    public func callAsFunction(
        query: Tensor, projectedKeys: Tensor, values: Tensor, mask: Tensor? = nil, file: String = #fileID, line: Int = #line
    ) -> Attended {
        calling(query.context, file: file, line: line) {
            let weights = self.weights(for: query)
            let inputs = [query, projectedKeys, values] + (mask.map { [$0] } ?? [])
            return query.context.attended(inputs, file: file, line: line) { builder throws(KilnError) in
                try builder.additiveAttention(
                    query: query.id, projectedKeys: projectedKeys.id, values: values.id, weights: weights, mask: mask?.id)
            }
        }
    }

    /// Attention of `query` over `keys` (projected here), weighting `values`.
    public func callAsFunction(
        query: Tensor, keys: Tensor, values: Tensor, mask: Tensor? = nil, file: String = #fileID, line: Int = #line
    ) -> Attended {
        callAsFunction(
            query: query, projectedKeys: projectKeys(keys, file: file, line: line), values: values, mask: mask,
            file: file, line: line)
    }

    private func weights(for x: Tensor) -> AdditiveAttentionWeights {
        AdditiveAttentionWeights(
            query: node(of: queryWeight, for: x).id, key: node(of: keyWeight, for: x).id, bias: node(of: bias, for: x).id,
            score: node(of: score, for: x).id)
    }
}
