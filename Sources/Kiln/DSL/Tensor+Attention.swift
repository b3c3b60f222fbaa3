import KilnIR
import KilnOps

/// Where local attention centres each query's window: `.aligned` (on the query's own position)
/// or `.predicted` (on its highest-scoring key, found by hard attention).
public typealias LocalAttentionCentre = KilnOps.LocalAttentionCentre

/// The result of an attention: the output and the weights each query gave each key.
public struct Attended {
    /// `[batch..., Lq, dv]`.
    public let output: Tensor
    /// `[batch..., Lq, Lk]` (multi-head: `[batch, heads, Lq, Lk]`); each row sums to 1.
    public let weights: Tensor
}

extension GraphContext {
    /// The result of a composite returning an output and weights, or `fallback` twice after an error.
    func attended(
        _ inputs: [Tensor], file: String, line: Int,
        _ body: (inout GraphBuilder) throws(KilnError) -> (output: NodeID, weights: NodeID)
    ) -> Attended {
        guard let result = compositeResult(inputs, file: file, line: line, body) else {
            return Attended(output: inputs[0], weights: inputs[0])
        }
        return Attended(output: Tensor(context: self, id: result.output), weights: Tensor(context: self, id: result.weights))
    }

    /// Dropout on attention weights at `probability` when building a training step (nil otherwise,
    /// or when the probability is 0), with the step's seed and a random stream of its own.
    func attentionDropout(probability: Double, file: String, line: Int) -> AttentionDropout? {
        guard isTraining, probability != 0 else { return nil }
        return AttentionDropout(seed: randomSeed(file: file, line: line).id, stream: nextRandomStream(), probability: probability)
    }

    /// The causal mask `[queries, keys]` (float32 0/1): query `i` sees keys `j ≤ i` only.
    public func causalMask(queries: Int, keys: Int, file: String = #fileID, line: Int = #line) -> Tensor {
        composite(fallback: constant(0, file: file, line: line), file: file, line: line) { builder throws(KilnError) in
            try builder.causalMask(queries: queries, keys: keys)
        }
    }

    /// The band mask `[queries, keys]`: query `i` sees keys `j` with `|i − j| ≤ window`.
    public func windowMask(queries: Int, keys: Int, window: Int, file: String = #fileID, line: Int = #line) -> Tensor {
        composite(fallback: constant(0, file: file, line: line), file: file, line: line) { builder throws(KilnError) in
            try builder.windowMask(queries: queries, keys: keys, window: window)
        }
    }
}

/// The padding mask `[batch, 1, keys]` from a per-key mask `[batch, keys]` (1 for real tokens,
/// 0 for padding), for scores `[batch, queries, keys]`.
public func paddingMask(_ keyMask: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    keyMask.context.composite(fallback: keyMask, file: file, line: line) { builder throws(KilnError) in
        try builder.paddingMask(keyMask.id)
    }
}

/// Scaled dot-product attention, softmax(Q·Kᵀ/√d + mask)·V: query `[batch..., Lq, d]`, key
/// `[batch..., Lk, d]`, value `[batch..., Lk, dv]`, and an optional float32 0/1 mask broadcasting
/// to `[batch..., Lq, Lk]` (1: may attend). With `hardAtInference`, a model built for inference
/// selects each query's best key instead (`hardAttention`), while training stays soft and
/// differentiable. `dropout` drops attention weights in training (PyTorch's `dropout_p`); the
/// weights returned are those before dropout.
public func scaledDotProductAttention(
    query: Tensor, key: Tensor, value: Tensor, mask: Tensor? = nil, scale: Double? = nil, hardAtInference: Bool = false,
    dropout: Double = 0, file: String = #fileID, line: Int = #line
) -> Attended {
    if hardAtInference && !query.context.isTraining {
        return hardAttention(query: query, key: key, value: value, mask: mask, file: file, line: line)
    }
    let inputs = [query, key, value] + (mask.map { [$0] } ?? [])
    let weightDropout = query.context.attentionDropout(probability: dropout, file: file, line: line)
    return query.context.attended(inputs, file: file, line: line) { builder throws(KilnError) in
        try builder.scaledDotProductAttention(
            query: query.id, key: key.id, value: value.id, mask: mask?.id, scale: scale, dropout: weightDropout)
    }
}

/// Hard attention: each query takes the value of its highest-scoring key (q·k), weight 1 for it
/// and 0 for the others. Not differentiable in the queries and keys; see
/// `scaledDotProductAttention(hardAtInference:)` to train soft and select hard.
public func hardAttention(
    query: Tensor, key: Tensor, value: Tensor, mask: Tensor? = nil, file: String = #fileID, line: Int = #line
) -> Attended {
    let inputs = [query, key, value] + (mask.map { [$0] } ?? [])
    return query.context.attended(inputs, file: file, line: line) { builder throws(KilnError) in
        try builder.hardAttention(query: query.id, key: key.id, value: value.id, mask: mask?.id)
    }
}

/// Local attention: scaled dot-product attention in which each query sees only the keys within
/// `window` positions of its centre (`.aligned`: its own position; `.predicted`: its
/// highest-scoring key).
public func localAttention(
    query: Tensor, key: Tensor, value: Tensor, window: Int, centre: LocalAttentionCentre = .aligned,
    mask: Tensor? = nil, scale: Double? = nil, file: String = #fileID, line: Int = #line
) -> Attended {
    let inputs = [query, key, value] + (mask.map { [$0] } ?? [])
    return query.context.attended(inputs, file: file, line: line) { builder throws(KilnError) in
        try builder.localAttention(
            query: query.id, key: key.id, value: value.id, window: window, centre: centre, mask: mask?.id, scale: scale)
    }
}
