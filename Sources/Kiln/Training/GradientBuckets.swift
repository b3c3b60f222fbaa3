import KilnIR

/// The gradient exchange of a distributed step in buckets, as DDP does it: the gradients, last
/// parameter first (the order backward completes them), are packed into flat buckets of at least
/// `bucketBytes`, each bucket averaged over the ranks and unpacked. A bucket's exchange starts
/// right after its last gradient is computed (`eagerOrder`), so it runs while the rest of the
/// backward pass is still to come. Overlapped, it is an `allreduce_start` there and an
/// `allreduce_wait` after the backward pass, before the updates read it, and the kernels between
/// run while the ranks exchange; otherwise one blocking `allreduce_mean` at the start's place.
struct GradientBuckets {
    /// The smallest bucket, in bytes (the last bucket may be smaller).
    let bucketBytes: Int
    /// Whether each exchange is started and waited for apart (non-blocking), or one call.
    let overlapped: Bool

    /// The averaged gradients, in the order of `gradients`.
    func exchange(_ gradients: [Tensor]) -> [Tensor] {
        var result = gradients
        var bucket: [Int] = []
        var bytes = 0
        for index in gradients.indices.reversed() {
            bucket.append(index)
            bytes += gradients[index].type.byteCount
            if bytes >= bucketBytes || index == gradients.indices.first {
                for (position, averaged) in zip(bucket, averaged(bucket.map { gradients[$0] })) { result[position] = averaged }
                bucket = []
                bytes = 0
            }
        }
        return result
    }

    /// One bucket's tensors averaged over the ranks: directly when it holds one, else packed flat.
    private func averaged(_ tensors: [Tensor]) -> [Tensor] {
        guard tensors.count > 1 else { return tensors.map(mean) }
        let flat = mean(concat(tensors.map { $0.reshaped([$0.shape.elementCount]) }, axis: 0))
        var start = 0
        return tensors.map { tensor in
            let count = tensor.shape.elementCount
            defer { start += count }
            return flat.sliced(starts: [start], ends: [start + count]).reshaped(tensor.shape.dimensions)
        }
    }

    /// `tensor` averaged over the ranks.
    private func mean(_ tensor: Tensor) -> Tensor {
        overlapped ? tensor.apply("allreduce_start").apply("allreduce_wait") : tensor.apply("allreduce_mean")
    }

    /// The nodes of `exchange` (the node indices of the exchange) placed eagerly, each right after
    /// its last input: all but the waits and what reads them, which keep their place after the
    /// backward pass.
    static func eagerNodes(_ exchange: Range<Int>, of graph: Graph) -> Set<Int> {
        var afterWait = Set<Int>()
        for index in exchange {
            let node = graph.nodes[index]
            if node.op == "allreduce_wait" || node.inputs.contains(where: { afterWait.contains($0.index) }) { afterWait.insert(index) }
        }
        return Set(exchange).subtracting(afterWait)
    }
}

extension Graph {
    /// A node order in which the nodes `eager` (node indices) each come just after the last of
    /// their inputs, and the others keep theirs. Every input of an eager node precedes it.
    func eagerOrder(_ eager: Set<Int>) -> [Int] {
        var order: [Int] = []
        var placed = [Bool](repeating: false, count: nodes.count)
        var pending = eager.sorted()
        func place(_ index: Int) {
            order.append(index)
            placed[index] = true
            while let ready = pending.firstIndex(where: { nodes[$0].inputs.allSatisfy { placed[$0.index] } }) {
                let candidate = pending.remove(at: ready)
                order.append(candidate)
                placed[candidate] = true
            }
        }
        for index in nodes.indices where !eager.contains(index) { place(index) }
        return order
    }

    /// The graph with its nodes in `order` (a permutation of the node indices in which every node
    /// follows its inputs), renumbered; outputs and updates follow.
    func reordered(_ order: [Int]) -> Graph {
        var mapping = [NodeID](repeating: NodeID(0), count: nodes.count)
        for (position, index) in order.enumerated() { mapping[index] = NodeID(position) }
        var result = Graph(name: name)
        for index in order {
            var copy = nodes[index]
            copy.id = mapping[index]
            copy.inputs = copy.inputs.map { mapping[$0.index] }
            result.nodes.append(copy)
        }
        result.outputs = outputs.map { GraphOutput(name: $0.name, node: mapping[$0.node.index]) }
        result.updates = updates.map { GraphUpdate(target: mapping[$0.target.index], value: mapping[$0.value.index]) }
        return result
    }
}
