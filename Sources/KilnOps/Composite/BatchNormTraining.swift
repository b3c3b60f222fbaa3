import KilnIR

extension GraphBuilder {
    /// Batch normalization as a training step computes it: the output normalized with the batch's
    /// statistics (`batch_norm_train`), and the running statistics updated in place through the
    /// graph's `updates` (see `batchNormRunningStatistics` for the update rule). The running mean
    /// and variance must be `param` leaves of shape [C]; inference then uses `batch_norm` with them.
    ///
    /// - Returns: the normalized output and the nodes of the new running mean and variance.
    /// - Throws: when the shapes do not fit `batch_norm_train`, a running statistic is not a [C]
    ///   `param` node, or `momentum` is outside [0, 1].
    public mutating func batchNormTraining(
        _ x: NodeID, gamma: NodeID, beta: NodeID, runningMean: NodeID, runningVariance: NodeID,
        momentum: Double = 0.9, eps: Double = 1e-5
    ) throws(KilnError) -> (output: NodeID, runningMean: NodeID, runningVariance: NodeID) {
        try checkUpdatedInPlace("batch_norm_train", [x, gamma, beta, runningMean, runningVariance], [
            (3, "running mean", runningMean), (4, "running variance", runningVariance),
        ])
        let output = try add("batch_norm_train", [x, gamma, beta], attributes: ["eps": .float(eps)])
        let statistics = try batchNormRunningStatistics(
            x, runningMean: runningMean, runningVariance: runningVariance, momentum: momentum)
        graph.updates.append(GraphUpdate(target: runningMean, value: statistics.mean))
        graph.updates.append(GraphUpdate(target: runningVariance, value: statistics.variance))
        return (output, statistics.mean, statistics.variance)
    }

    /// Checks that each statistic (input `index` of `op`, its `role`) is a `param` node, which a
    /// training step can update in place.
    func checkUpdatedInPlace(
        _ op: String, _ inputs: [NodeID], _ statistics: [(index: Int, role: String, node: NodeID)]
    ) throws(KilnError) {
        for (index, role, statistic) in statistics {
            let node = graph[statistic]
            guard node.op == Node.parameterOp else {
                throw compositeError(
                    op, inputs,
                    "input \(index) (\(role)) '\(node.name)' must be a param node, not \(node.op), so that the "
                        + "training step updates it in place")
            }
        }
    }

    /// The running statistics after one training step of batch normalization, as an exponential
    /// moving average per channel (axis 1 of x = [N,C,…], statistics over every other axis):
    ///
    ///     running_mean ← momentum·running_mean + (1 − momentum)·μ_B
    ///     running_var  ← momentum·running_var  + (1 − momentum)·σ²_B·M/(M − 1)
    ///
    /// `momentum` is the weight of the old value: the notes' convention (S0:450, default 0.9),
    /// also ONNX's and Keras's; PyTorch's `momentum=0.1` weights the new value and is the same
    /// update. From zero, one step gives running_mean = 0.1·μ_B.
    ///
    /// The running variance stores the unbiased batch variance (M values per channel, factor
    /// M/(M−1)), while the output is normalized with the biased one. The notes disagree with
    /// themselves here (catalog Appendix A item 4): their text says inference uses the unbiased
    /// estimate (S0:60, S0:127), their code stores the biased `np.var`. Kiln follows the text,
    /// which is also PyTorch's behaviour, because the running variance estimates the population
    /// variance that inference normalizes with; ONNX stores the biased one, so pass
    /// `unbiased: false` to match it.
    ///
    /// - Returns: the nodes of the new running mean and variance, each [C].
    /// - Throws: when x has rank below 2, a running statistic is not [C], `momentum` is outside
    ///   [0, 1], or the unbiased variance has a single value per channel.
    public mutating func batchNormRunningStatistics(
        _ x: NodeID, runningMean: NodeID, runningVariance: NodeID, momentum: Double = 0.9, unbiased: Bool = true
    ) throws(KilnError) -> (mean: NodeID, variance: NodeID) {
        let inputs = [x, runningMean, runningVariance]
        let shape = type(of: x).shape
        guard shape.rank >= 2 else {
            throw compositeError(
                "batch_norm_statistics", inputs,
                "input 0 has shape \(shape); expected rank 2 or more ([N,C,...], channels on axis 1)")
        }
        let layout = ChannelLayout(shape)
        for (index, role, statistic) in [(1, "running mean", runningMean), (2, "running variance", runningVariance)] {
            guard type(of: statistic) == TensorType(.float32, [layout.channels]) else {
                throw compositeError(
                    "batch_norm_statistics", inputs,
                    "input \(index) (\(role)) is \(type(of: statistic)); expected f32[\(layout.channels)] "
                        + "(one value per channel of input 0, shape \(shape))")
            }
        }
        guard (0...1).contains(momentum) else {
            throw compositeError("batch_norm_statistics", inputs, "momentum \(momentum) must be between 0 and 1")
        }
        let count = layout.countPerChannel
        guard !unbiased || count > 1 else {
            throw compositeError(
                "batch_norm_statistics", inputs,
                "input 0 of shape \(shape) has 1 value per channel; the unbiased variance needs more than 1")
        }
        let axes = AttributeValue.ints(layout.reducedAxes)
        let mean = try add("mean", [x], attributes: ["axes": axes, "keepdims": .bool(false)])
        let keptMean = try add("reshape", [mean], attributes: ["shape": .ints(layout.channelShape)])
        let squares = try add("square", [try add("sub", [x, keptMean])])
        var variance = try add("mean", [squares], attributes: ["axes": axes, "keepdims": .bool(false)])
        if unbiased { variance = try add("mul", [variance, scalar(Double(count) / Double(count - 1))]) }
        return (
            try movingAverage(runningMean, mean, momentum: momentum),
            try movingAverage(runningVariance, variance, momentum: momentum)
        )
    }

    /// momentum·old + (1 − momentum)·new.
    private mutating func movingAverage(_ old: NodeID, _ new: NodeID, momentum: Double) throws(KilnError) -> NodeID {
        try add("add", [try add("mul", [old, scalar(momentum)]), try add("mul", [new, scalar(1 - momentum)])])
    }
}
