import KilnIR

/// The gradient exchange of a distributed step in buckets, as DDP does it: the gradients, last
/// parameter first (the order backward completes them), are packed into flat buckets of at least
/// `bucketBytes`, each bucket averaged over the ranks by one `allreduce_mean` and unpacked. A
/// bucket's nodes are placed right after its last gradient is computed (`eagerOrder`), so
/// its exchange runs while the rest of the backward pass is still to come, not after all of it.
struct GradientBuckets {
    /// The smallest bucket, in bytes (the last bucket may be smaller).
    let bucketBytes: Int

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
        guard tensors.count > 1 else { return tensors.map { $0.apply("allreduce_mean") } }
        let flat = concat(tensors.map { $0.reshaped([$0.shape.elementCount]) }, axis: 0).apply("allreduce_mean")
        var start = 0
        return tensors.map { tensor in
            let count = tensor.shape.elementCount
            defer { start += count }
            return flat.sliced(starts: [start], ends: [start + count]).reshaped(tensor.shape.dimensions)
        }
    }
}

extension Graph {
    /// A node order in which the nodes `eager` (a range of node indices) each come just after the
    /// last of their inputs, and the others keep theirs. Every input of an eager node precedes it.
    func eagerOrder(_ eager: Range<Int>) -> [Int] {
        var order: [Int] = []
        var placed = [Bool](repeating: false, count: nodes.count)
        var pending = Array(eager)
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
