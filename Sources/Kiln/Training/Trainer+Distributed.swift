import Foundation
import KilnIR
import KilnRuntime

/// Data-parallel training: each rank's step averages its gradients with the other ranks' before
/// the update (`allreduce_mean` nodes between backward and update), and draws its random masks
/// at its rows' place in the global batch.
extension Trainer {
    /// The name of the example-offset input of a distributed step: the index in the global batch
    /// of this rank's first row, fed to every `random_uniform`.
    public static let exampleOffsetInput = "random_example_offset"

    /// The gradient bytes per exchange bucket unless told otherwise (1 MiB).
    public static let defaultBucketBytes = 1 << 20

    /// The step with the example-offset input (first, so every node still follows its inputs)
    /// given to every `random_uniform` as its offset; unchanged when it draws no random numbers.
    static func withExampleOffset(_ step: (graph: Graph, phases: GraphPhases)) -> (graph: Graph, phases: GraphPhases) {
        let graph = step.graph
        guard graph.nodes.contains(where: { $0.op == "random_uniform" && $0.inputs.count == 1 }) else { return step }
        let shift = { (id: NodeID) in NodeID(id.index + 1) }
        var result = Graph(name: graph.name)
        result.append(op: Node.inputOp, type: TensorType(.int64, []), name: exampleOffsetInput)
        for node in graph.nodes {
            var copy = node
            copy.id = shift(node.id)
            copy.inputs = node.inputs.map(shift)
            if node.op == "random_uniform" && node.inputs.count == 1 { copy.inputs.append(NodeID(0)) }
            result.nodes.append(copy)
        }
        result.outputs = graph.outputs.map { GraphOutput(name: $0.name, node: shift($0.node)) }
        result.updates = graph.updates.map { GraphUpdate(target: shift($0.target), value: shift($0.value)) }
        var phases = GraphPhases(backwardStart: step.phases.backwardStart + 1, updateStart: step.phases.updateStart + 1)
        phases.perNode = step.phases.perNode.map { [.forward] + $0 }
        return (result, phases)
    }

    /// Makes every rank's parameters and optimizer state rank 0's, then checks that they agree (a
    /// checksum over every tensor, compared across the ranks). Call after a restore too.
    public func synchronize() throws(KilnError) {
        guard let communicator = distributed else { return }
        let names = step.parameters().keys.sorted()
        var state = step.parameters()
        let flat = try communicator.broadcast(names.flatMap { state[$0]!.floats })
        var start = 0
        for name in names {
            let count = state[name]!.floats.count
            state[name] = TensorValue(shape: state[name]!.shape, floats: Array(flat[start..<start + count]))
            start += count
        }
        try step.load(parameters: state, matching: .partial)
        let checksum = Trainer.checksum(step.parameters(), names: names)
        let range = try communicator.range(checksum)
        guard range.min == range.max else {
            throw .runtime("the ranks' parameters differ after the broadcast from rank 0 (checksums \(range.min) and \(range.max))")
        }
        parameterChecksum = UInt64(checksum)
    }

    /// FNV-1a over the bits of every value, in name order, cut to 52 bits so that it is exact as a
    /// Double (what the ranks compare).
    static func checksum(_ tensors: [String: TensorValue], names: [String]) -> Double {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for name in names {
            for value in tensors[name]?.floats ?? [] {
                hash = (hash ^ UInt64(value.bitPattern)) &* 0x0000_0100_0000_01B3
            }
        }
        return Double(hash >> 12)
    }

    /// The feed a distributed step adds: this rank's example offset; and the global mean of the
    /// step's loss in place of this rank's.
    func distributedFeed(_ feed: inout [String: TensorValue], rows: Int) {
        guard let communicator = distributed, graph.node(named: Trainer.exampleOffsetInput)?.op == Node.inputOp else { return }
        feed[Trainer.exampleOffsetInput] = TensorValue(dtype: .int64, shape: [], integers: [Int64(communicator.rank * rows)])
    }

    /// Runs `step` (one training step) and, distributed, records its compute and exchange time.
    func measuringExchange(_ step: () throws(KilnError) -> [String: TensorValue]) throws(KilnError) -> [String: TensorValue] {
        guard let communicator = distributed else { return try step() }
        let before = communicator.totals
        let start = DispatchTime.now().uptimeNanoseconds
        let outputs = try step()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        exchangeSteps.append(StepExchange(before: before, after: communicator.totals, seconds: seconds))
        return outputs
    }

    /// `outputs` with the loss averaged over the ranks.
    func averagedLoss(_ outputs: [String: TensorValue]) throws(KilnError) -> [String: TensorValue] {
        guard let communicator = distributed, let loss = outputs["loss"], loss.floats.count == 1 else { return outputs }
        var result = outputs
        result["loss"] = TensorValue(shape: loss.shape, floats: try communicator.mean(loss.floats))
        return result
    }
}
