import KilnIR

/// Where local attention centres each query's window of keys.
public enum LocalAttentionCentre: Sendable, Hashable {
    /// Query `i`'s window is centred on key `i` (monotonic alignment, Luong's local-m): a fixed
    /// band mask.
    case aligned
    /// Each query's window is centred on its highest-scoring key: hard attention locates the
    /// position, then soft attention works within the window around it (the notes' description,
    /// S2:23–25). The centre is piecewise constant, so gradients flow through the soft part only.
    case predicted
}

extension GraphBuilder {
    /// Local (windowed) attention: scaled dot-product attention in which query `i` sees only the
    /// keys within `window` positions of its centre (`2·window + 1` keys at most), a compromise
    /// between soft (global) and hard attention.
    ///
    /// - Parameters: as `scaledDotProductAttention` (query input 0, key 1, value 2, mask 3, which
    ///   further restricts the window), plus `window` (≥ 0) and `centre`.
    /// - Returns: the output `[batch..., Lq, dv]` and the weights `[batch..., Lq, Lk]`, zero
    ///   outside each window.
    ///
    /// A composite: the window is a mask (`windowMask`, or for a predicted centre `argmax`,
    /// `one_hot`, a weighted sum of the key positions and a comparison) multiplied into the user's
    /// mask, then the masked softmax of `scaledDotProductAttention`.
    public mutating func localAttention(
        query: NodeID, key: NodeID, value: NodeID, window: Int, centre: LocalAttentionCentre = .aligned,
        mask: NodeID? = nil, scale: Double? = nil
    ) throws(KilnError) -> (output: NodeID, weights: NodeID) {
        let op = "local_attention"
        let inputs = [query, key, value] + (mask.map { [$0] } ?? [])
        let geometry = AttentionGeometry(op: op)
        let (queryType, keyType, valueType) = (type(of: query), type(of: key), type(of: value))
        let scoresShape = try checking(op, inputs) { () throws(ShapeError) in
            let scores = try geometry.scoresShape(query: queryType, key: keyType)
            try geometry.checkValues(valueType, index: 2, key: keyType, scores: scores)
            if let mask { try geometry.checkMask(type(of: mask), index: 3, scores: scores) }
            guard window >= 0 else { throw ShapeError("window \(window) is negative; expected 0 or more keys on each side") }
            return scores
        }
        let (queries, keys) = (scoresShape[scoresShape.rank - 2], scoresShape[scoresShape.rank - 1])
        let features = queryType.shape.dimensions.last!
        let products = try add("matmul", [query, key], attributes: ["transpose_b": .bool(true)])
        let scores = try add("mul", [products, scalar(scale ?? 1 / Double(features).squareRoot())])
        var windowMask: NodeID
        switch centre {
        case .aligned:
            windowMask = try self.windowMask(queries: queries, keys: keys, window: window)
        case .predicted:
            var located = scores
            if let mask { located = try add("where", [mask, scores, scalar(GraphBuilder.maskedScore)]) }
            let keyPositions = positions(keys, shape: [keys])
            let selected = try selectMaximum(located, keys: keys)
            let centres = try add(
                "sum", [try add("mul", [selected, keyPositions])], attributes: ["axes": .ints([-1]), "keepdims": .bool(true)])
            let distance = try add("abs", [try add("sub", [keyPositions, centres])])
            windowMask = try add("less_equal", [distance, scalar(Double(window))])
        }
        if let mask { windowMask = try add("mul", [windowMask, mask]) }
        let weights = try maskedSoftmax(scores, mask: windowMask)
        return (try add("matmul", [weights, value]), weights)
    }
}
