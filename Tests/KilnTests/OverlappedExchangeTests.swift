import Kiln
import KilnCodegen
import KilnModels
import Testing

/// Where the overlapped gradient exchange sits in the compiled step of a distributed trainer (one
/// process: the order is the same on every rank, and the MPI tests check the values).
@Suite struct OverlappedExchangeTests {
    /// The compiled distributed step of the digits CNN (32 rows per rank, Adam) with buckets of
    /// `bucketKiB`.
    static func program(bucketKiB: Int, overlapped: Bool) throws -> (graph: Graph, program: GeneratedProgram) {
        let graph = try Trainer.stepGraph(
            model: DigitsModels.cnn(batch: 32, seed: 1), optimizer: Adam(), bucketBytes: bucketKiB * 1024, overlapsExchange: overlapped)
        let optimized = try GraphOptimizer.optimize(graph, isTraining: true)
        let program = try CodeGenerator.generate(
            optimized.graph, fusion: optimized.fusion, memory: optimized.memory, kernelPlan: optimized.kernelPlan)
        return (optimized.graph, program)
    }

    /// The kernel positions (in the run driver) of the kernels holding a node of `op`.
    static func positions(_ op: String, in compiled: (graph: Graph, program: GeneratedProgram)) -> [Int] {
        let run = compiled.program.kernels.dropFirst(compiled.program.fusion.preparationKernelCount)
        return run.enumerated().filter { $0.element.nodes.contains { compiled.graph[$0].op == op } }.map(\.offset)
    }

    /// Each bucket's exchange starts as soon as its gradients are complete and is waited for after
    /// the backward pass: backward kernels (the convolutions' input and weight gradients) run
    /// between the first start and the first wait, the buckets start and finish in the same order,
    /// and the driver lets MPI progress between the kernels while an exchange is in flight.
    @Test func bucketsStartDuringBackwardAndAreWaitedForBeforeTheUpdate() throws {
        let compiled = try Self.program(bucketKiB: 16, overlapped: true)
        let starts = Self.positions("allreduce_start", in: compiled), waits = Self.positions("allreduce_wait", in: compiled)
        #expect(starts.count >= 3 && starts.count == waits.count)
        let backward = Self.positions("conv2d_backward_weight", in: compiled) + Self.positions("conv2d_backward_input", in: compiled)
        #expect(backward.contains { $0 > starts[0] && $0 < waits[0] }, "backward runs while the first bucket is exchanged")
        #expect(starts.last! < waits.first!)
        // The k-th wait finishes the k-th start (the graph's edge from a start to its wait).
        let run = Array(compiled.program.kernels.dropFirst(compiled.program.fusion.preparationKernelCount))
        let started = starts.map { position in run[position].nodes.first { compiled.graph[$0].op == "allreduce_start" }! }
        let finished = waits.map { position in compiled.graph[run[position].nodes.first { compiled.graph[$0].op == "allreduce_wait" }!].inputs[0] }
        #expect(started == finished)
        // The updates read the buckets after their waits: every kernel storing a trainable
        // parameter's new value follows the last wait (running statistics need no gradient).
        let trainable = compiled.graph.updates.filter { compiled.graph[$0.target].attributes.bool("trainable", default: true) }
        let values = Set(trainable.filter { !compiled.graph[$0.target].name.hasPrefix("optimizer.") }.map(\.value))
        let updates = run.indices.filter { !values.isDisjoint(with: run[$0].nodes) }
        #expect(updates.count >= 5 && updates.allSatisfy { $0 > waits.last! })
        let calls = compiled.program.drivers.run
        let progress = calls.indices.filter { calls[$0].contains("KILN_COLLECTIVE_PROGRESS") }
        #expect(progress.first == starts.first && progress.last == waits.last! - 1)
    }

    /// Without overlap each bucket is one blocking `allreduce_mean` at the place its start would
    /// have, and the driver has no progress calls.
    @Test func blockingExchangeHasOneKernelPerBucket() throws {
        let overlapped = try Self.program(bucketKiB: 16, overlapped: true)
        let blocking = try Self.program(bucketKiB: 16, overlapped: false)
        #expect(Self.positions("allreduce_start", in: blocking).isEmpty && Self.positions("allreduce_wait", in: blocking).isEmpty)
        // The batch statistics' 8 all-reduces (forward and backward of 2 batch norms) stay blocking in both.
        #expect(Self.positions("allreduce_mean", in: overlapped).count == 8)
        #expect(Self.positions("allreduce_mean", in: blocking).count == 8 + Self.positions("allreduce_start", in: overlapped).count)
        #expect(!blocking.program.drivers.run.contains { $0.contains("KILN_COLLECTIVE_PROGRESS") })
    }
}
