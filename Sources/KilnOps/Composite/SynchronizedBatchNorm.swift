import KilnIR

extension GraphBuilder {
    /// `batch_norm_train` with the statistics of the global batch of a data-parallel job: the
    /// per-channel mean, then the biased variance around it, each averaged over the ranks
    /// (`allreduce_mean`; every rank holds an equal share), so N ranks normalize as one process
    /// with the whole batch would (PyTorch's SyncBatchNorm). In one process it computes what
    /// `batch_norm_train` computes; autodiff's gradient exchanges the statistics' gradients too.
    public mutating func synchronizedBatchNormTraining(_ x: NodeID, gamma: NodeID, beta: NodeID, eps: Double) throws(KilnError) -> NodeID {
        let layout = ChannelLayout(type(of: x).shape)
        let keep: Attributes = ["axes": .ints(layout.reducedAxes), "keepdims": .bool(true)]
        let channelShape: Attributes = ["shape": .ints(layout.channelShape)]
        let mean = try add("allreduce_mean", [try add("mean", [x], attributes: keep)])
        let centered = try add("sub", [x, mean])
        let variance = try add("allreduce_mean", [try add("mean", [try add("square", [centered])], attributes: keep)])
        let inverseDeviation = try add("rsqrt", [try add("add", [variance, scalar(eps)])])
        let scaled = try add("mul", [try add("mul", [centered, inverseDeviation]), try add("reshape", [gamma], attributes: channelShape)])
        return try add("add", [scaled, try add("reshape", [beta], attributes: channelShape)])
    }
}

extension Graph {
    /// The graph with every `batch_norm_train` replaced by `synchronizedBatchNormTraining`, for
    /// a data-parallel training step; the graph itself when it has none.
    public func synchronizingBatchNorm() throws(KilnError) -> Graph {
        guard nodes.contains(where: { $0.op == "batch_norm_train" }) else { return self }
        var builder = GraphBuilder(name: name, reserving: Set(nodes.map(\.name)))
        var mapping: [NodeID] = []
        for node in nodes {
            let inputs = node.inputs.map { mapping[$0.index] }
            if node.op == "batch_norm_train" {
                mapping.append(try builder.synchronizedBatchNormTraining(
                    inputs[0], gamma: inputs[1], beta: inputs[2], eps: node.attributes.float("eps", default: 1e-5)))
            } else {
                mapping.append(builder.graph.append(
                    op: node.op, inputs: inputs, attributes: node.attributes, type: node.type, name: node.name, provenance: node.provenance))
            }
        }
        builder.graph.outputs = outputs.map { GraphOutput(name: $0.name, node: mapping[$0.node.index]) }
        builder.graph.updates = updates.map { GraphUpdate(target: mapping[$0.target.index], value: mapping[$0.value.index]) }
        return builder.graph
    }
}
