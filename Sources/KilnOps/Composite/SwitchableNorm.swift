import KilnIR

extension GraphBuilder {
    /// Switchable normalization (Luo et al. 2019), training form: x = [N,C,H,W] is normalized with
    /// a learned mixture of the instance-, layer- and batch-norm statistics,
    ///
    ///     μ = Σ_k w_k·μ_k,  σ² = Σ_k w'_k·σ²_k,  y = γ·(x − μ)/√(σ² + ε) + β,
    ///
    /// over k ∈ (IN: per (n, c) over H, W; LN: per n over C, H, W; BN: per c over N, H, W), with
    /// biased variances, w = softmax(`meanLogits`), w' = softmax(`varianceLogits`) (each [3], in
    /// the order IN, LN, BN), and γ, β per channel ([C], either may be nil). The network learns
    /// which normalization to use; logits that favour one statistic reduce it to that norm.
    ///
    /// A composite (mean, softmax, slice, and elementwise operators). The BN term always uses the
    /// batch's statistics: there is no running-statistics form for inference.
    ///
    /// - Throws: when x is not rank 4, a logits vector is not [3], or γ or β is not [C].
    public mutating func switchableNorm(
        _ x: NodeID, meanLogits: NodeID, varianceLogits: NodeID, gamma: NodeID? = nil, beta: NodeID? = nil,
        eps: Double = 1e-5
    ) throws(KilnError) -> NodeID {
        let shape = type(of: x).shape
        let inputs = [x, meanLogits, varianceLogits] + [gamma, beta].compactMap { $0 }
        guard shape.rank == 4 else {
            throw compositeError("switchable_norm", inputs, "input 0 has shape \(shape); expected rank 4 ([N,C,H,W])")
        }
        for (index, role, logits) in [(1, "mean logits", meanLogits), (2, "variance logits", varianceLogits)] {
            guard type(of: logits) == TensorType(.float32, [3]) else {
                throw compositeError(
                    "switchable_norm", inputs,
                    "input \(index) (\(role)) is \(type(of: logits)); expected f32[3] (weights of IN, LN, BN)")
            }
        }
        try checkChannelParameters("switchable_norm", x, gamma: gamma, beta: beta)
        let axesPerStatistic = [[2, 3], [1, 2, 3], [0, 2, 3]]
        var means: [NodeID] = [], variances: [NodeID] = []
        for axes in axesPerStatistic {
            let keep: Attributes = ["axes": .ints(axes), "keepdims": .bool(true)]
            let mean = try add("mean", [x], attributes: keep)
            means.append(mean)
            variances.append(try add("mean", [try add("square", [try add("sub", [x, mean])])], attributes: keep))
        }
        let mean = try mixture(means, logits: meanLogits)
        let variance = try mixture(variances, logits: varianceLogits)
        let inverseDeviation = try add("rsqrt", [try add("add", [variance, scalar(eps)])])
        let normalized = try add("mul", [try add("sub", [x, mean]), inverseDeviation])
        return try channelAffine(normalized, gamma: gamma, beta: beta)
    }

    /// Σ_k softmax(logits)_k · statistics_k (three statistics), each weight a [1] slice
    /// broadcasting over its statistic.
    private mutating func mixture(_ statistics: [NodeID], logits: NodeID) throws(KilnError) -> NodeID {
        let weights = try add("softmax", [logits], attributes: ["axis": .int(0)])
        var terms: [NodeID] = []
        for (k, statistic) in statistics.enumerated() {
            let weight = try add("slice", [weights], attributes: ["starts": .ints([k]), "ends": .ints([k + 1])])
            terms.append(try add("mul", [statistic, weight]))
        }
        return try add("add", [try add("add", [terms[0], terms[1]]), terms[2]])
    }
}
