/// How a graph's computed nodes are grouped into kernels, in execution order: the fusion
/// decision as a value that prints, so the CLI can show it and tests can compare it.
///
/// A kernel is one C function. Its `primary` node (a GEMM, a convolution, a reduction, or any
/// operator without an elementwise formula) is emitted by its operator's own C; every other node
/// of the kernel is an elementwise formula evaluated per element in one loop: before the primary
/// node (its prologue, read through the primary's loads) or after it (its epilogue, over the
/// primary's output). A kernel without a primary node is one elementwise loop.
///
/// Nodes absent from every kernel are leaves (inputs, parameters, constants), views (a reshape
/// reads its source's buffer under another shape and computes nothing) and concatenations
/// assembled in place (the kernels store their inputs straight into their places in its buffer).
public struct FusionPlan: Sendable, Hashable {
    /// One kernel.
    public struct Kernel: Sendable, Hashable {
        /// The nodes computed, in evaluation order (a node recomputed in several kernels appears in each).
        public var nodes: [NodeID]
        /// The node emitted by its operator's own C, or nil for a pure elementwise loop.
        public var primary: NodeID?
        /// The nodes whose values the kernel stores: those read by later kernels, graph outputs and
        /// update values. The other nodes live only in registers.
        public var outputs: [NodeID]
        /// Nodes computed here although another kernel computes them too: recomputing them was
        /// cheaper than storing and reloading them.
        public var recomputed: [NodeID]
        /// Bytes the nodes move when each runs as its own kernel.
        public var unfusedBytes: Int
        /// Bytes the kernel moves: every buffer it reads once, every output it stores once, and
        /// the primary node's output when it is stored and read back by the epilogue.
        public var fusedBytes: Int
        /// Why each neighbouring node (a producer or consumer in another kernel) is not in this one.
        public var rejections: [Rejection]
        /// Whether the kernel computes only values derived from constants and from parameters no
        /// update changes (folded batch-norm weights, ...): it runs once after the parameters are
        /// set (`kiln_prepare`), not on every run, and its stored values persist between runs.
        public var isPreparation: Bool

        /// Creates a kernel.
        public init(
            nodes: [NodeID], primary: NodeID?, outputs: [NodeID], recomputed: [NodeID] = [], unfusedBytes: Int = 0,
            fusedBytes: Int = 0, rejections: [Rejection] = [], isPreparation: Bool = false
        ) {
            self.nodes = nodes
            self.primary = primary
            self.outputs = outputs
            self.recomputed = recomputed
            self.unfusedBytes = unfusedBytes
            self.fusedBytes = fusedBytes
            self.rejections = rejections
            self.isPreparation = isPreparation
        }

        /// Bytes of memory traffic fusion saved in this kernel.
        public var bytesSaved: Int { unfusedBytes - fusedBytes }

        /// The stored value the primary node writes: its own, or, when it is not stored, the first
        /// stored value of its type, which the epilogue then overwrites in place element by element.
        public func accumulator(in graph: Graph) -> NodeID? {
            guard let primary else { return nil }
            if outputs.contains(primary) { return primary }
            return outputs.first { graph[$0].type == graph[primary].type }
        }

        /// The nodes evaluated before the primary node (its prologue).
        public var prologue: [NodeID] {
            guard let primary, let position = nodes.firstIndex(of: primary) else { return [] }
            return Array(nodes[..<position])
        }

        /// The nodes evaluated after the primary node, or every node when there is none.
        public var epilogue: [NodeID] {
            guard let primary, let position = nodes.firstIndex(of: primary) else { return nodes }
            return Array(nodes[(position + 1)...])
        }
    }

    /// A neighbour left out of a kernel and the reason.
    public struct Rejection: Sendable, Hashable {
        /// The node in another kernel.
        public var neighbour: NodeID
        /// Why it was not fused, e.g. `shape [10] differs from the loop shape [64,10]`.
        public var reason: String

        /// Creates a rejection.
        public init(neighbour: NodeID, reason: String) {
            self.neighbour = neighbour
            self.reason = reason
        }
    }

    /// The kernels in execution order: the preparation kernels first.
    public var kernels: [Kernel]
    /// For each view node, the node whose buffer it reads (never itself a view).
    public var views: [NodeID: NodeID]
    /// Values stored straight into their place in a concatenation's buffer, so that the
    /// concatenation (the slice's `whole`) needs no kernel: like a view, it computes nothing.
    public var slices: [NodeID: Slice]
    /// Bytes moved when every computed node (views included) runs as its own kernel.
    public var unfusedBytes: Int

    /// Where a value lives inside a concatenation's buffer.
    public struct Slice: Sendable, Hashable {
        /// The concatenation.
        public var whole: NodeID
        /// The value's byte offset in the concatenation's buffer.
        public var byteOffset: Int

        /// Creates a slice.
        public init(whole: NodeID, byteOffset: Int) {
            self.whole = whole
            self.byteOffset = byteOffset
        }
    }

    /// Creates a plan.
    public init(kernels: [Kernel], views: [NodeID: NodeID] = [:], slices: [NodeID: Slice] = [:], unfusedBytes: Int) {
        self.kernels = kernels
        self.views = views
        self.slices = slices
        self.unfusedBytes = unfusedBytes
    }

    /// The values a concatenation assembled in place consists of, in order; empty for other nodes.
    public func parts(of whole: NodeID) -> [NodeID] {
        slices.filter { $0.value.whole == whole }.sorted { $0.value.byteOffset < $1.value.byteOffset }.map(\.key)
    }

    /// The stored values that hold `node`'s bytes: the parts of a concatenation assembled in place
    /// (directly or through a view), else the node's storage.
    public func memoryParts(of node: NodeID) -> [NodeID] {
        let source = storage(of: node)
        let parts = parts(of: source)
        return parts.isEmpty ? [source] : parts
    }

    /// The plan without fusion: one kernel per computed node, every node stored, no views.
    /// `bytes` gives the bytes each node moves.
    public static func unfused(_ graph: Graph, bytes: (Node) -> Int = { _ in 0 }) -> FusionPlan {
        let kernels = graph.nodes.filter { !$0.isLeaf }.map { node in
            let moved = bytes(node)
            return Kernel(nodes: [node.id], primary: node.id, outputs: [node.id], unfusedBytes: moved, fusedBytes: moved)
        }
        return FusionPlan(kernels: kernels, unfusedBytes: kernels.reduce(0) { $0 + $1.fusedBytes })
    }

    /// The node whose buffer holds `node`'s value: its source for a view, itself otherwise.
    public func storage(of node: NodeID) -> NodeID { views[node] ?? node }

    /// The number of preparation kernels (they come first).
    public var preparationKernelCount: Int { kernels.prefix { $0.isPreparation }.count }
    /// Bytes moved by the kernels of one run.
    public var fusedBytes: Int { kernels.filter { !$0.isPreparation }.reduce(0) { $0 + $1.fusedBytes } }
    /// Bytes moved by the preparation kernels, once per change of the parameters.
    public var preparationBytes: Int { kernels.filter(\.isPreparation).reduce(0) { $0 + $1.fusedBytes } }

    /// The plan as text: per kernel its nodes, outputs, bytes saved, and the neighbours it did not
    /// fuse with and why; then the views.
    public func text(for graph: Graph) -> String {
        func label(_ id: NodeID) -> String { "\(id) \(graph[id].op) '\(graph[id].name)'" }
        let computed = graph.nodes.filter { !$0.isLeaf }.count
        var summary = "fusion plan '\(graph.name)': \(computed) computed nodes in \(kernels.count) kernels, \(views.count) views; "
            + "bytes moved \(unfusedBytes) unfused, \(fusedBytes) fused"
        if preparationKernelCount > 0 {
            summary += "; \(preparationKernelCount) preparation kernels moving \(preparationBytes) bytes once per parameter change"
        }
        var lines = [summary]
        for (index, kernel) in kernels.enumerated() {
            let ops = kernel.nodes.map { graph[$0].op }.joined(separator: "+")
            var header = "  kernel \(index) [\(ops)]"
            if kernel.isPreparation { header += " (preparation)" }
            if kernel.nodes.count > 1 { header += " saves \(kernel.bytesSaved) bytes" }
            lines.append(header)
            for node in kernel.nodes {
                var line = "    " + label(node)
                if node == kernel.primary && kernel.nodes.count > 1 { line += " (primary)" }
                if kernel.outputs.contains(node) { line += " stored" }
                if kernel.recomputed.contains(node) { line += " recomputed" }
                lines.append(line)
            }
            for rejection in kernel.rejections {
                lines.append("    not fused with \(label(rejection.neighbour)): \(rejection.reason)")
            }
        }
        for (view, source) in views.sorted(by: { $0.key < $1.key }) {
            lines.append("  view \(label(view)) reads the buffer of \(label(source))")
        }
        for whole in Set(slices.values.map(\.whole)).sorted() {
            let parts = parts(of: whole).map { "\($0) at byte \(slices[$0]!.byteOffset)" }.joined(separator: ", ")
            lines.append("  \(label(whole)) is assembled in place: its inputs are stored into it (\(parts))")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
