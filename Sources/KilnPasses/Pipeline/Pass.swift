import KilnIR
import KilnOps

/// A graph-to-graph rewrite with an identifier (`constant-folding`), a one-line summary, and a
/// function `(inout Graph, PassContext) throws(KilnError)`.
///
/// Each pass lives in its own file, as a static member of `Pass`, and opens with a comment saying
/// what it rewrites, what it expects, what it leaves for later and which invariants it keeps.
/// Every pass keeps the graph valid (`OperatorRegistry.verify` passes after it), keeps the names
/// of inputs, parameters and outputs, and keeps `updates`.
public struct Pass: Sendable {
    /// The identifier `--dump-after` takes (`constant-folding`).
    public let id: String
    /// One line: what the pass does.
    public let summary: String
    private let body: @Sendable (inout Graph, PassContext) throws(KilnError) -> Void

    /// Creates a pass.
    public init(
        id: String, summary: String, _ body: @escaping @Sendable (inout Graph, PassContext) throws(KilnError) -> Void
    ) {
        self.id = id
        self.summary = summary
        self.body = body
    }

    /// Applies the pass to `graph`.
    public func run(_ graph: inout Graph, _ context: PassContext) throws(KilnError) {
        try body(&graph, context)
    }
}

/// What passes know about the compilation they serve.
public struct PassContext: Sendable {
    /// Whether the graph is a training step. Rewrites valid only at inference (batch-norm folding)
    /// are skipped for training steps.
    public var isTraining: Bool
    /// The largest number of elements constant folding stores as a constant (a tensor whose
    /// elements are all equal is stored as one value, whatever its size).
    public var maxFoldedElements: Int
    /// Algorithms timed on this machine (`--tune`): `winograd-selection` follows them where a
    /// shape has one.
    public var tuned: TunedKernels

    /// Creates a context.
    public init(isTraining: Bool = false, maxFoldedElements: Int = 4096, tuned: TunedKernels = TunedKernels()) {
        self.isTraining = isTraining
        self.maxFoldedElements = maxFoldedElements
        self.tuned = tuned
    }
}
