import KilnIR

/// The input projections of multi-head attention.
public enum AttentionProjections: Sendable, Hashable {
    /// Separate query, key and value projections, each `[features, d_model]` (bias `[d_model]`).
    case separate(query: AffineWeights, key: AffineWeights, value: AffineWeights)
    /// One packed projection `[features, 3·d_model]` (bias `[3·d_model]`) whose column blocks are
    /// the query, key and value projections in that order. In self-attention (query, key and
    /// value the same node) it runs as one GEMM over the input.
    case packed(AffineWeights)
}

extension GraphBuilder {
    /// Multi-head attention: concat(head₁, ..., head_h)·W_O + b_O with
    /// headᵢ = Attention(Q·W_Qᵢ, K·W_Kᵢ, V·W_Vᵢ), scaled dot-product attention in each head of
    /// width d_model/h.
    ///
    /// - Parameters:
    ///   - query: `[batch, Lq, features]` (input 0).
    ///   - key: `[batch, Lk, features]` (input 1).
    ///   - value: `[batch, Lk, features]` (input 2).
    ///   - heads: the head count h; it must divide d_model (the projections' width).
    ///   - projections: separate or packed query/key/value projections.
    ///   - output: the output projection `[d_model, outputs]`.
    ///   - mask: optional float32 0/1 mask (input 3) broadcasting to `[batch, Lq, Lk]`; every
    ///     head uses it.
    ///   - dropout: dropout on the attention weights of every head (training).
    /// - Returns: the output `[batch, Lq, outputs]` and the weights `[batch, h, Lq, Lk]`.
    ///
    /// A composite: the projections are GEMMs; heads are split by `reshape` + `transpose` to
    /// `[batch, h, L, d_model/h]` and attended in one batched `scaledDotProductAttention`.
    public mutating func multiHeadAttention(
        query: NodeID, key: NodeID, value: NodeID, heads: Int, projections: AttentionProjections,
        output: AffineWeights, mask: NodeID? = nil, dropout: AttentionDropout? = nil
    ) throws(KilnError) -> (output: NodeID, weights: NodeID) {
        let op = "multi_head_attention"
        let inputs = [query, key, value] + (mask.map { [$0] } ?? [])
        let width = try checkMultiHead(op, inputs, heads: heads, projections: projections, mask: mask)
        let (q, k, v) = try project(query: query, key: key, value: value, projections: projections, width: width)
        let headMask = try mask.map { mask throws(KilnError) in
            let shape = type(of: mask).shape
            guard shape.rank == 3 else { return mask }
            return try add("reshape", [mask], attributes: ["shape": .ints([shape[0], 1, shape[1], shape[2]])])
        }
        let attended = try scaledDotProductAttention(
            query: try splitHeads(q, heads: heads), key: try splitHeads(k, heads: heads),
            value: try splitHeads(v, heads: heads), mask: headMask, dropout: dropout)
        let merged = try mergeHeads(attended.output)
        return (try affine(merged, output, op: op, role: "output projection"), attended.weights)
    }

    /// Checks the inputs of `multiHeadAttention` and returns d_model.
    private func checkMultiHead(
        _ op: String, _ inputs: [NodeID], heads: Int, projections: AttentionProjections, mask: NodeID?
    ) throws(KilnError) -> Int {
        let types = inputs.map { type(of: $0) }
        for (index, role) in ["query", "key", "value"].enumerated() {
            guard types[index].dtype == .float32, types[index].shape.rank == 3 else {
                throw compositeError(op, inputs, "input \(index) (\(role)) is \(types[index]); expected f32[batch, positions, features]")
            }
        }
        let (query, key, value) = (types[0].shape, types[1].shape, types[2].shape)
        guard key[0] == query[0], value[0] == query[0], value[1] == key[1] else {
            throw compositeError(
                op, inputs,
                "the query \(query), key \(key) and value \(value) shapes disagree; expected one batch size and as many values as keys")
        }
        if mask != nil {
            try checking(op, inputs) { () throws(ShapeError) in
                try AttentionGeometry(op: op).checkMask(types[3], index: 3, scores: [query[0], query[1], key[1]])
            }
        }
        let width: Int
        switch projections {
        case .separate(let queryProjection, let keyProjection, let valueProjection):
            width = type(of: queryProjection.weight).shape.dimensions.last ?? 0
            for (role, projection) in [("key", keyProjection), ("value", valueProjection)] {
                let weight = type(of: projection.weight).shape
                guard weight.dimensions.last == width else {
                    throw compositeError(
                        op, inputs, "the \(role) projection weight has shape \(weight); expected \(width) outputs like the query projection")
                }
            }
        case .packed(let packed):
            let weight = type(of: packed.weight).shape
            guard weight.rank == 2, weight[1] % 3 == 0 else {
                throw compositeError(
                    op, inputs, "the packed projection weight has shape \(weight); expected [features, 3·d_model]")
            }
            width = weight[1] / 3
        }
        guard heads >= 1, width % heads == 0 else {
            throw compositeError(op, inputs, "d_model \(width) is not divisible by the head count \(heads)")
        }
        return width
    }

    /// The projected queries, keys and values, `[batch, L, d_model]` each.
    private mutating func project(
        query: NodeID, key: NodeID, value: NodeID, projections: AttentionProjections, width: Int
    ) throws(KilnError) -> (NodeID, NodeID, NodeID) {
        let op = "multi_head_attention"
        switch projections {
        case .separate(let q, let k, let v):
            return (
                try affine(query, q, op: op, role: "query projection"), try affine(key, k, op: op, role: "key projection"),
                try affine(value, v, op: op, role: "value projection"))
        case .packed(let packed) where query == key && key == value:
            let all = try affine(query, packed, op: op, role: "packed projection")
            let blocks = try (0..<3).map { (block: Int) throws(KilnError) in
                try add("slice", [all], attributes: [
                    "starts": .ints([block * width]), "ends": .ints([(block + 1) * width]), "axes": .ints([-1]),
                ])
            }
            return (blocks[0], blocks[1], blocks[2])
        case .packed(let packed):
            var projected: [NodeID] = []
            for (block, (input, role)) in [(query, "query"), (key, "key"), (value, "value")].enumerated() {
                let range: Attributes = ["starts": .ints([block * width]), "ends": .ints([(block + 1) * width]), "axes": .ints([-1])]
                let weight = try add("slice", [packed.weight], attributes: range)
                let bias = try packed.bias.map { bias throws(KilnError) in try add("slice", [bias], attributes: range) }
                projected.append(try affine(input, AffineWeights(weight: weight, bias: bias), op: op, role: "\(role) projection"))
            }
            return (projected[0], projected[1], projected[2])
        }
    }

    /// `[batch, L, d_model]` → `[batch, heads, L, d_model/heads]`.
    mutating func splitHeads(_ x: NodeID, heads: Int) throws(KilnError) -> NodeID {
        let shape = type(of: x).shape
        let split = try add("reshape", [x], attributes: ["shape": .ints([shape[0], shape[1], heads, shape[2] / heads])])
        return try add("transpose", [split], attributes: ["perm": .ints([0, 2, 1, 3])])
    }

    /// `[batch, heads, L, width]` → `[batch, L, heads·width]`.
    mutating func mergeHeads(_ x: NodeID) throws(KilnError) -> NodeID {
        let shape = type(of: x).shape
        let transposed = try add("transpose", [x], attributes: ["perm": .ints([0, 2, 1, 3])])
        return try add("reshape", [transposed], attributes: ["shape": .ints([shape[0], shape[2], shape[1] * shape[3]])])
    }
}
