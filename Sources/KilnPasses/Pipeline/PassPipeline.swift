import KilnIR
import KilnOps

/// An ordered list of passes, run top to bottom.
public struct PassPipeline: Sendable {
    /// The passes in order.
    public var passes: [Pass]

    /// Creates a pipeline.
    public init(_ passes: [Pass]) { self.passes = passes }

    /// The pipeline `Model.compile()` and `Trainer` run by default.
    ///
    /// Folding first turns constant subexpressions into constants, so simplification sees the
    /// neutral constants (`x·1`, `x+0`) they produce; CSE then merges what is left equal; sums of
    /// disjoint pads (slice gradients) become concatenations; batch-norm folding (inference only) rewrites conv/linear → batch-norm pairs; dead-code
    /// elimination removes everything the earlier passes disconnected; Winograd selection last,
    /// on the convolutions that remain (folded ones included).
    public static let standard = PassPipeline([
        .constantFolding,
        .algebraicSimplification,
        .commonSubexpressionElimination,
        .padSumConcatenation,
        .batchNormFolding,
        .deadCodeElimination,
        .winogradSelection,
    ])

    /// No passes: the graph compiles as written.
    public static let none = PassPipeline([])

    /// The pass named `id` in this pipeline.
    public func pass(_ id: String) -> Pass? { passes.first { $0.id == id } }

    /// What one pass did: its identifier and the node counts before and after.
    public struct Record: Sendable, Hashable {
        /// The pass.
        public var id: String
        /// Nodes before the pass.
        public var nodesBefore: Int
        /// Nodes after the pass.
        public var nodesAfter: Int
    }

    /// One line per pass run: its identifier, summary and the node counts before and after.
    public static func describe(_ records: [Record], pipeline: PassPipeline) -> String {
        guard !records.isEmpty else { return "passes: none\n" }
        let width = records.map(\.id.count).max() ?? 0
        var lines = ["passes:"]
        for record in records {
            let summary = pipeline.pass(record.id)?.summary ?? ""
            lines.append("  " + record.id + String(repeating: " ", count: width - record.id.count)
                + "  \(record.nodesBefore) -> \(record.nodesAfter) nodes  \(summary)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Runs every pass on `graph` in order and returns what each did. With `verify`, the graph is
    /// checked (`OperatorRegistry.verify`) after every pass, and an invalid graph is reported as
    /// the pass's fault. `observe` sees the graph after each pass (for `--dump-after`).
    @discardableResult
    public func run(
        _ graph: inout Graph, context: PassContext = PassContext(), verify: Bool = false,
        observe: (Pass, Graph) -> Void = { _, _ in }
    ) throws(KilnError) -> [Record] {
        var records: [Record] = []
        for pass in passes {
            let before = graph.nodes.count
            try pass.run(&graph, context)
            if verify {
                do {
                    try OperatorRegistry.verify(graph)
                } catch {
                    throw .invalidGraph("after pass '\(pass.id)': \(error.description)")
                }
            }
            records.append(Record(id: pass.id, nodesBefore: before, nodesAfter: graph.nodes.count))
            observe(pass, graph)
        }
        return records
    }
}
