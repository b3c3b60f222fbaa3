import KilnIR

extension GraphBuilder {
    /// Hard attention: each query takes the value of its highest-scoring key, weight 1 for that
    /// key and 0 for every other (the first key on ties; masked keys are never chosen unless a
    /// query's every key is masked). Scores are dot products q·k.
    ///
    /// Not differentiable with respect to the queries and keys (the selection is piecewise
    /// constant; the notes point to reinforcement learning or Gumbel-softmax), so a model trains
    /// with soft attention and selects by argmax at inference. The values still get a gradient.
    ///
    /// - Parameters: as `scaledDotProductAttention` (query input 0, key 1, value 2, mask 3).
    /// - Returns: the output `[batch..., Lq, dv]` (rows of the values) and the one-hot weights
    ///   `[batch..., Lq, Lk]`.
    ///
    /// A composite: `matmul` (Q·Kᵀ), `where` (mask), `argmax`, `one_hot`, and a `matmul` of the
    /// one-hot weights with the values (the selection as a GEMM).
    public mutating func hardAttention(
        query: NodeID, key: NodeID, value: NodeID, mask: NodeID? = nil
    ) throws(KilnError) -> (output: NodeID, weights: NodeID) {
        let op = "hard_attention"
        let inputs = [query, key, value] + (mask.map { [$0] } ?? [])
        let geometry = AttentionGeometry(op: op)
        let (keyType, valueType) = (type(of: key), type(of: value))
        let scoresShape = try checking(op, inputs) { () throws(ShapeError) in
            let scores = try geometry.scoresShape(query: type(of: query), key: keyType)
            try geometry.checkValues(valueType, index: 2, key: keyType, scores: scores)
            if let mask { try geometry.checkMask(type(of: mask), index: 3, scores: scores) }
            return scores
        }
        var scores = try add("matmul", [query, key], attributes: ["transpose_b": .bool(true)])
        if let mask { scores = try add("where", [mask, scores, scalar(GraphBuilder.maskedScore)]) }
        let weights = try selectMaximum(scores, keys: scoresShape.dimensions.last!)
        return (try add("matmul", [weights, value]), weights)
    }

    /// One-hot rows `[..., keys]` marking the maximum of each row of `scores` (the first on ties).
    mutating func selectMaximum(_ scores: NodeID, keys: Int) throws(KilnError) -> NodeID {
        let position = try add("argmax", [scores], attributes: ["axes": .ints([-1]), "keepdims": .bool(false)])
        return try add("one_hot", [position], attributes: ["depth": .int(keys)])
    }
}
