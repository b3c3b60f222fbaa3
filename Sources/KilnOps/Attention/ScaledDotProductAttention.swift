import KilnIR

/// Dropout on attention weights (the Transformer's attention dropout): in a training step each
/// weight is zeroed with `probability` and the others scaled by 1/(1 − probability) before they
/// multiply the values. The mask is `random_uniform` under `seed` (the step's i64 seed) and
/// `stream`, like every dropout site.
public struct AttentionDropout: Sendable, Hashable {
    /// The step's seed, an i64 scalar node.
    public var seed: NodeID
    /// The random stream of this attention's mask.
    public var stream: Int
    /// The probability of dropping a weight, in [0, 1).
    public var probability: Double

    /// Dropout on attention weights with `probability`, drawn from `seed` and `stream`.
    public init(seed: NodeID, stream: Int, probability: Double) {
        self.seed = seed
        self.stream = stream
        self.probability = probability
    }
}

extension GraphBuilder {
    /// The score masked positions get before the softmax. `exp` of it underflows to exactly 0
    /// once the row maximum is subtracted, and it stays finite, so a row whose every key is masked
    /// gets uniform weights rather than NaN.
    public static let maskedScore = -1e9

    /// Scaled dot-product attention, softmax(Q·Kᵀ·scale + mask)·V, the Transformer's attention.
    ///
    /// - Parameters:
    ///   - query: `[batch..., Lq, d]` (input 0).
    ///   - key: `[batch..., Lk, d]` (input 1).
    ///   - value: `[batch..., Lk, dv]` (input 2).
    ///   - mask: optional float32 0/1 (input 3), 1 where a query may attend to a key; its shape
    ///     broadcasts to the scores `[batch..., Lq, Lk]` (a causal `[Lq, Lk]`, a padding
    ///     `[batch, 1, Lk]`, or their product).
    ///   - scale: the factor on the scores; 1/√d by default.
    ///   - dropout: dropout on the weights before they multiply the values (training).
    /// - Returns: the output `[batch..., Lq, dv]` and the weights `[batch..., Lq, Lk]` (each row
    ///   sums to 1 over the keys it may see; before dropout).
    ///
    /// A composite: `matmul` (Q·Kᵀ, `transpose_b`), `mul` by the scale, `where` (masked scores
    /// become `maskedScore`), `softmax`, `matmul`. The scale and the mask are elementwise
    /// prologues of the softmax, so the fusion pass can make scale, mask and softmax one kernel;
    /// both products run as GEMMs.
    public mutating func scaledDotProductAttention(
        query: NodeID, key: NodeID, value: NodeID, mask: NodeID? = nil, scale: Double? = nil,
        dropout: AttentionDropout? = nil
    ) throws(KilnError) -> (output: NodeID, weights: NodeID) {
        let op = "scaled_dot_product_attention"
        let inputs = [query, key, value] + (mask.map { [$0] } ?? [])
        let geometry = AttentionGeometry(op: op)
        let (queryType, keyType, valueType) = (type(of: query), type(of: key), type(of: value))
        try checking(op, inputs) { () throws(ShapeError) in
            let scores = try geometry.scoresShape(query: queryType, key: keyType)
            try geometry.checkValues(valueType, index: 2, key: keyType, scores: scores)
            if let mask { try geometry.checkMask(type(of: mask), index: 3, scores: scores) }
        }
        let features = queryType.shape.dimensions.last!
        let scores = try add("matmul", [query, key], attributes: ["transpose_b": .bool(true)])
        let scaled = try add("mul", [scores, scalar(scale ?? 1 / Double(features).squareRoot())])
        let weights = try maskedSoftmax(scaled, mask: mask)
        let kept = try dropout.map { dropout throws(KilnError) in try dropped(weights, dropout, op: op, inputs: inputs) } ?? weights
        return (try add("matmul", [kept, value]), weights)
    }

    /// `weights` with attention dropout applied: zeroed at `dropout.probability`, the rest scaled.
    mutating func dropped(
        _ weights: NodeID, _ dropout: AttentionDropout, op: String, inputs: [NodeID]
    ) throws(KilnError) -> NodeID {
        guard (0..<1).contains(dropout.probability) else {
            throw compositeError(op, inputs, "the attention dropout probability \(dropout.probability) must be at least 0 and below 1")
        }
        guard type(of: dropout.seed) == TensorType(.int64, []) else {
            throw compositeError(op, inputs, "the attention dropout seed is \(type(of: dropout.seed)); expected an i64 scalar")
        }
        guard dropout.probability > 0 else { return weights }
        let keep = 1 - dropout.probability
        let uniform = try add(
            "random_uniform", [dropout.seed],
            attributes: ["shape": .ints(type(of: weights).shape.dimensions), "stream": .int(dropout.stream)])
        let mask = try add("less", [uniform, scalar(keep)])
        return try add("mul", [try add("mul", [weights, mask]), scalar(1 / keep)])
    }

    /// softmax over the last axis of `scores`, where positions with `mask` 0 take part as
    /// `maskedScore` (so they get weight 0). `mask` is float32 and broadcasts to `scores`
    /// (checked by the caller).
    mutating func maskedSoftmax(_ scores: NodeID, mask: NodeID?) throws(KilnError) -> NodeID {
        guard let mask else { return try add("softmax", [scores], attributes: ["axis": .int(-1)]) }
        let masked = try add("where", [mask, scores, scalar(GraphBuilder.maskedScore)])
        return try add("softmax", [masked], attributes: ["axis": .int(-1)])
    }
}
