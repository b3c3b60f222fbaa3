import KilnIR

/// The parameters of additive (Bahdanau) attention, score(q, k) = vᵀ·tanh(W·q + U·k + b).
public struct AdditiveAttentionWeights: Sendable, Hashable {
    /// W, `[query features, attention width]`.
    public var query: NodeID
    /// U, `[key features, attention width]`.
    public var key: NodeID
    /// b, `[attention width]`, or nil.
    public var bias: NodeID?
    /// v, `[attention width]`.
    public var score: NodeID

    /// Creates the parameters of additive attention.
    public init(query: NodeID, key: NodeID, bias: NodeID? = nil, score: NodeID) {
        self.query = query
        self.key = key
        self.bias = bias
        self.score = score
    }
}

extension GraphBuilder {
    /// The keys' half of additive attention's score, `U·k + b` (`[batch, Lk, features]` →
    /// `[batch, Lk, width]`). It depends on the keys only, so a decoder computes it once per
    /// source sequence and reuses it at every step.
    public mutating func additiveAttentionKeys(_ keys: NodeID, weights: AdditiveAttentionWeights) throws(KilnError) -> NodeID {
        let keyType = type(of: keys)
        guard keyType.dtype == .float32, keyType.shape.rank == 3 else {
            throw compositeError("additive_attention", [keys], "input 0 (keys) is \(keyType); expected f32[batch, positions, features]")
        }
        return try affine(keys, AffineWeights(weight: weights.key, bias: weights.bias), op: "additive_attention", role: "key")
    }

    /// Additive (Bahdanau) attention: weights softmax_j(vᵀ·tanh(W·qᵢ + U·k_j + b)) over the keys,
    /// output Σ_j weight_ij·value_j.
    ///
    /// - Parameters:
    ///   - query: `[batch, Lq, query features]` (input 0); a decoder state is `Lq = 1`.
    ///   - projectedKeys: `additiveAttentionKeys(keys)`, `[batch, Lk, width]` (input 1).
    ///   - values: `[batch, Lk, dv]` (input 2), usually the keys themselves.
    ///   - mask: optional float32 0/1 (input 3) broadcasting to `[batch, Lq, Lk]`.
    /// - Returns: the output `[batch, Lq, dv]` and the weights `[batch, Lq, Lk]`.
    ///
    /// A composite: W·q is a GEMM, the sum over every (query, key) pair broadcasts
    /// `[batch, Lq, 1, width] + [batch, 1, Lk, width]`, and the product with v is one GEMM over
    /// the `batch·Lq·Lk` rows; then the masked softmax and a batched GEMM with the values.
    public mutating func additiveAttention(
        query: NodeID, projectedKeys: NodeID, values: NodeID, weights: AdditiveAttentionWeights, mask: NodeID? = nil
    ) throws(KilnError) -> (output: NodeID, weights: NodeID) {
        let op = "additive_attention"
        let inputs = [query, projectedKeys, values] + (mask.map { [$0] } ?? [])
        let types = inputs.map { type(of: $0) }
        for (index, role) in ["query", "projected keys", "values"].enumerated() {
            guard types[index].dtype == .float32, types[index].shape.rank == 3 else {
                throw compositeError(op, inputs, "input \(index) (\(role)) is \(types[index]); expected f32[batch, positions, features]")
            }
        }
        let (queryShape, keyShape, valueShape) = (types[0].shape, types[1].shape, types[2].shape)
        let scoreType = type(of: weights.score)
        guard scoreType == TensorType(.float32, [keyShape[2]]) else {
            throw compositeError(
                op, inputs, "the score vector v is \(scoreType); expected f32[\(keyShape[2])], the width of input 1 (projected keys) of shape \(keyShape)")
        }
        guard keyShape[0] == queryShape[0], valueShape[0] == queryShape[0], valueShape[1] == keyShape[1] else {
            throw compositeError(
                op, inputs,
                "the query \(queryShape), projected key \(keyShape) and value \(valueShape) shapes disagree; expected one batch size and as many values as keys")
        }
        if mask != nil {
            try checking(op, inputs) { () throws(ShapeError) in
                try AttentionGeometry(op: op).checkMask(types[3], index: 3, scores: [queryShape[0], queryShape[1], keyShape[1]])
            }
        }
        let (batch, queries, keys, width) = (queryShape[0], queryShape[1], keyShape[1], keyShape[2])
        let projectedQuery = try affine(query, AffineWeights(weight: weights.query), op: op, role: "query")
        guard type(of: projectedQuery).shape[2] == width else {
            throw compositeError(
                op, inputs, "the query weight W is \(type(of: weights.query)); expected \(width) outputs like the key weight U")
        }
        let queryColumn = try add("reshape", [projectedQuery], attributes: ["shape": .ints([batch, queries, 1, width])])
        let keyRow = try add("reshape", [projectedKeys], attributes: ["shape": .ints([batch, 1, keys, width])])
        let hidden = try add("tanh", [try add("add", [queryColumn, keyRow])])
        let rows = try add("reshape", [hidden], attributes: ["shape": .ints([batch * queries * keys, width])])
        let scoreColumn = try add("reshape", [weights.score], attributes: ["shape": .ints([width, 1])])
        let scores = try add("reshape", [try add("matmul", [rows, scoreColumn])], attributes: ["shape": .ints([batch, queries, keys])])
        let attention = try maskedSoftmax(scores, mask: mask)
        return (try add("matmul", [attention, values]), attention)
    }
}
