import KilnIR

extension GraphBuilder {
    /// Switchable normalization (Luo et al. 2019): x = [N,C,H,W] is normalized with a learned
    /// mixture of the instance-, layer- and batch-norm statistics,
    ///
    ///     μ = Σ_k w_k·μ_k,  σ² = Σ_k w'_k·σ²_k,  y = γ·(x − μ)/√(σ² + ε) + β,
    ///
    /// over k ∈ (IN: per (n, c) over H, W; LN: per n over C, H, W; BN: per c over N, H, W), with
    /// biased variances, w = softmax(`meanLogits`), w' = softmax(`varianceLogits`) (each [3], in
    /// the order IN, LN, BN), and γ, β per channel ([C], either may be nil). The network learns
    /// which normalization to use; logits that favour one statistic reduce it to that norm.
    ///
    /// Without `runningStatistics` this is the training form: the BN term uses the batch's
    /// statistics (see `switchableNormTraining` for the running averages). With them it is the
    /// inference form: the BN term's mean and variance are the running ones ([C] each), so an
    /// example's output does not depend on the rest of its batch; the IN and LN terms are
    /// per-example in both forms.
    ///
    /// A composite (mean, softmax, slice, and elementwise operators).
    ///
    /// - Throws: when x is not rank 4, a logits vector is not [3], or γ, β or a running statistic
    ///   is not [C].
    public mutating func switchableNorm(
        _ x: NodeID, meanLogits: NodeID, varianceLogits: NodeID, gamma: NodeID? = nil, beta: NodeID? = nil,
        eps: Double = 1e-5, runningStatistics: (mean: NodeID, variance: NodeID)? = nil
    ) throws(KilnError) -> NodeID {
        let op = "switchable_norm"
        let shape = type(of: x).shape
        let inputs = [x, meanLogits, varianceLogits] + [gamma, beta, runningStatistics?.mean, runningStatistics?.variance].compactMap { $0 }
        guard shape.rank == 4 else {
            throw compositeError(op, inputs, "input 0 has shape \(shape); expected rank 4 ([N,C,H,W])")
        }
        for (index, role, logits) in [(1, "mean logits", meanLogits), (2, "variance logits", varianceLogits)] {
            guard type(of: logits) == TensorType(.float32, [3]) else {
                throw compositeError(
                    op, inputs, "input \(index) (\(role)) is \(type(of: logits)); expected f32[3] (weights of IN, LN, BN)")
            }
        }
        try checkChannelParameters(op, x, gamma: gamma, beta: beta)
        var means: [NodeID] = [], variances: [NodeID] = []
        for axes in [[2, 3], [1, 2, 3]] {
            let keep: Attributes = ["axes": .ints(axes), "keepdims": .bool(true)]
            let mean = try add("mean", [x], attributes: keep)
            means.append(mean)
            variances.append(try add("mean", [try add("square", [try add("sub", [x, mean])])], attributes: keep))
        }
        if let runningStatistics {
            let channelView: Attributes = ["shape": .ints([1, shape[1], 1, 1])]
            for (role, statistic) in [("running mean", runningStatistics.mean), ("running variance", runningStatistics.variance)] {
                guard type(of: statistic) == TensorType(.float32, [shape[1]]) else {
                    throw compositeError(
                        op, inputs, "the \(role) is \(type(of: statistic)); expected f32[\(shape[1])] (one value per channel of input 0, shape \(shape))")
                }
            }
            means.append(try add("reshape", [runningStatistics.mean], attributes: channelView))
            variances.append(try add("reshape", [runningStatistics.variance], attributes: channelView))
        } else {
            let keep: Attributes = ["axes": .ints([0, 2, 3]), "keepdims": .bool(true)]
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

    /// Switchable normalization as a training step computes it: the output of the training form
    /// (batch statistics in the BN term), and the running mean and variance of the BN term updated
    /// in place through the graph's `updates` by the rule of `batchNormRunningStatistics`
    /// (`momentum` weights the old value). The running statistics must be [C] `param` leaves;
    /// inference then passes them to `switchableNorm(runningStatistics:)`.
    public mutating func switchableNormTraining(
        _ x: NodeID, meanLogits: NodeID, varianceLogits: NodeID, gamma: NodeID? = nil, beta: NodeID? = nil,
        runningMean: NodeID, runningVariance: NodeID, momentum: Double = 0.9, eps: Double = 1e-5
    ) throws(KilnError) -> NodeID {
        try checkUpdatedInPlace("switchable_norm", [x, meanLogits, varianceLogits, runningMean, runningVariance], [
            (3, "running mean", runningMean), (4, "running variance", runningVariance),
        ])
        let output = try switchableNorm(
            x, meanLogits: meanLogits, varianceLogits: varianceLogits, gamma: gamma, beta: beta, eps: eps)
        let statistics = try batchNormRunningStatistics(
            x, runningMean: runningMean, runningVariance: runningVariance, momentum: momentum)
        graph.updates.append(GraphUpdate(target: runningMean, value: statistics.mean))
        graph.updates.append(GraphUpdate(target: runningVariance, value: statistics.variance))
        return output
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
