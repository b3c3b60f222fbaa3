// Fusion planning.
//
// Decides: which nodes run together in one kernel, in what order, which values each kernel
// stores, and which cheap values are recomputed instead of stored. The result is a `FusionPlan`;
// the graph itself is not changed.
// Groups: elementwise and broadcast nodes (operators with an `ElementwiseFormula`) into the
// kernel of a producer when they share its loop shape: chains become one loop, and elementwise
// consumers of a GEMM, a convolution or any other float32 operator become its epilogue, one loop
// over its output right after it. Reshapes become views of their operand's buffer (no kernel), and
// a concatenation whose inputs are contiguous blocks of it is assembled in place: the kernels
// store its inputs straight into its buffer (no kernel, no copy).
// A node read outside its kernel is stored; one that is cheap (few FLOPs per element) and whose
// operands are in memory anyway is recomputed in each reading kernel when that moves fewer bytes.
// Expects: a verified graph in topological order (any graph `OperatorRegistry.verify` accepts).
// A reduction whose operator reads its input through a loader (sum, mean, max, min, argmax)
// takes the elementwise kernel computing its input as its prologue: the elements are computed as
// the reduction reads them, and the values other kernels need are stored on the way.
// Values derived only from constants and from parameters no update changes (folded batch-norm
// weights) go to preparation kernels, which run once when the parameters are set, not per run.
// Leaves for later: prologues of softmax and of operators that read an input element several
// times, and memory placement (`MemoryPlanner`).
// Keeps: execution order consistent with the graph (every kernel runs after the kernels whose
// stored values it reads), and every node's value where the graph's outputs and updates need it.

import KilnIR
import KilnOps

/// Groups a graph's nodes into kernels; see the comment at the top of this file.
public enum FusionPlanner {
    /// What the planner may do.
    public struct Options: Sendable {
        /// Whether a cheap value read by several kernels may be recomputed in each.
        public var recompute: Bool
        /// The most FLOPs per element a recomputed node may cost.
        public var maxRecomputeFlopsPerElement: Int

        /// Creates options.
        public init(recompute: Bool = true, maxRecomputeFlopsPerElement: Int = 4) {
            self.recompute = recompute
            self.maxRecomputeFlopsPerElement = maxRecomputeFlopsPerElement
        }
    }

    /// The fusion plan of `graph`.
    public static func plan(_ graph: Graph, options: Options = Options()) -> FusionPlan {
        var planner = Planner(graph: graph)
        planner.group()
        planner.decideStorage()
        if options.recompute { planner.recomputeCheapValues(maxFlopsPerElement: options.maxRecomputeFlopsPerElement) }
        return planner.finish()
    }

    /// The operators that are views: they compute nothing and read their operand's buffer.
    static let viewOperators: Set<String> = ["reshape"]
}

/// A kernel under construction.
private struct Draft {
    var nodes: [NodeID]
    var primary: NodeID?
    /// Whether the kernel only derives values from constants and non-updated parameters.
    var isPreparation: Bool
    /// The shape of the elementwise loop elementwise nodes join (the primary's output shape), or
    /// nil when the kernel takes none.
    var loopShape: Shape?
    var recomputed: [NodeID] = []
    var rejections: [FusionPlan.Rejection] = []
}

private struct Planner {
    let graph: Graph
    let consumers: [[NodeID]]
    var drafts: [Draft] = []
    var kernelOf: [Int?]
    var views: [NodeID: NodeID] = [:]
    /// Concatenations assembled in place, with their parts in order.
    var wholes: [NodeID: [NodeID]] = [:]
    var slices: [NodeID: FusionPlan.Slice] = [:]
    var stored = Set<NodeID>()
    /// Nodes that must be stored whatever the kernels: outputs, update values, view sources.
    var pinned = Set<NodeID>()
    /// Whether each node's value depends only on constants and on parameters no update changes:
    /// such values are computed once per change of the parameters (preparation kernels).
    let invariant: [Bool]

    init(graph: Graph) {
        self.graph = graph
        consumers = graph.consumers()
        kernelOf = Array(repeating: nil, count: graph.nodes.count)
        let updated = Set(graph.updates.map(\.target))
        var invariant = [Bool](repeating: false, count: graph.nodes.count)
        for node in graph.nodes {
            switch node.op {
            case Node.constantOp: invariant[node.id.index] = true
            case Node.parameterOp: invariant[node.id.index] = !updated.contains(node.id)
            case Node.inputOp: invariant[node.id.index] = false
            default: invariant[node.id.index] = !node.inputs.isEmpty && node.inputs.allSatisfy { invariant[$0.index] }
            }
        }
        self.invariant = invariant
    }

    func label(_ id: NodeID) -> String { "\(id) '\(graph[id].name)'" }

    // MARK: Grouping

    mutating func group() {
        for node in graph.nodes where !node.isLeaf {
            if FusionPlanner.viewOperators.contains(node.op) {
                views[node.id] = views[node.inputs[0]] ?? node.inputs[0]
                continue
            }
            if node.op == "concat", assembleInPlace(node) { continue }
            guard let definition = OperatorRegistry.operator(node.op) else {
                open(Draft(nodes: [node.id], primary: node.id, isPreparation: invariant[node.id.index], loopShape: nil), for: node)
                continue
            }
            if let formula = definition as? any ElementwiseFormula, node.type.dtype == .float32 {
                placeElementwise(node, formula: formula)
            } else if let kernel = prologueKernel(for: node, definition) {
                drafts[kernel].nodes.append(node.id)
                drafts[kernel].primary = node.id
                drafts[kernel].loopShape = node.type.dtype == .float32 ? node.type.shape : nil
                kernelOf[node.id.index] = kernel
            } else {
                let loopShape = node.type.dtype == .float32 ? node.type.shape : nil
                open(Draft(nodes: [node.id], primary: node.id, isPreparation: invariant[node.id.index], loopShape: loopShape), for: node)
                rejectProducers(of: node, reason: primaryReason(node, definition))
            }
        }
    }

    /// The elementwise kernel computing input 0 of `node` that `node` can take as its prologue:
    /// the operator reads each element of input 0 once through a loader, and the kernel is a pure
    /// elementwise loop over exactly that input's shape. The merged kernel keeps the elementwise
    /// kernel's place in the order, so everything it reads is still computed before it.
    func prologueKernel(for node: Node, _ definition: any Operator) -> Int? {
        guard definition.acceptsPrologue, let input = node.inputs.first, node.inputs.count == 1, views[input] == nil,
              let kernel = kernelOf[input.index], drafts[kernel].primary == nil,
              drafts[kernel].isPreparation == invariant[node.id.index],
              drafts[kernel].loopShape == graph[input].type.shape else { return nil }
        return kernel
    }

    /// Makes concatenation `node` a buffer its inputs are stored into, when each input occupies one
    /// contiguous block of it (every axis before the concatenation axis has extent 1) and is a
    /// value a per-run kernel stores, not shared with another such concatenation.
    mutating func assembleInPlace(_ node: Node) -> Bool {
        let rank = node.type.shape.rank
        let requested = node.attributes.int("axis", default: 0)
        let axis = requested < 0 ? requested + rank : requested
        guard (0..<rank).contains(axis), node.type.shape.dimensions[..<axis].allSatisfy({ $0 == 1 }),
              Set(node.inputs).count == node.inputs.count,
              node.inputs.allSatisfy({ kernelOf[$0.index] != nil && !invariant[$0.index] && slices[$0] == nil })
        else { return false }
        var offset = 0
        for input in node.inputs {
            slices[input] = FusionPlan.Slice(whole: node.id, byteOffset: offset)
            offset += graph[input].type.byteCount
        }
        wholes[node.id] = node.inputs
        return true
    }

    /// The kernels that must have run before `input` can be read from memory: its producer's, or
    /// for a concatenation assembled in place (or a view of one), the producers of every part.
    func producers(_ input: NodeID) -> [Int] {
        let source = views[input] ?? input
        if let parts = wholes[source] { return parts.compactMap { kernelOf[$0.index] } }
        return kernelOf[source.index].map { [$0] } ?? []
    }

    mutating func open(_ draft: Draft, for node: Node) {
        kernelOf[node.id.index] = drafts.count
        drafts.append(draft)
    }

    /// Puts an elementwise node into the latest producer kernel that can take it, or a new one.
    mutating func placeElementwise(_ node: Node, formula: any ElementwiseFormula) {
        let strides = formula.operandStrides(OperatorRegistry.signature(of: node, in: graph))
        let candidates = Set(node.inputs.compactMap { views[$0] == nil ? kernelOf[$0.index] : nil }).sorted(by: >)
        var refusals: [(kernel: Int, reason: String)] = []
        var chosen: Int?
        for kernel in candidates {
            if let reason = refusal(node, joining: kernel, strides: strides) {
                refusals.append((kernel, reason))
            } else {
                chosen = kernel
                break
            }
        }
        if let chosen {
            drafts[chosen].nodes.append(node.id)
            kernelOf[node.id.index] = chosen
        } else {
            open(Draft(nodes: [node.id], primary: nil, isPreparation: invariant[node.id.index], loopShape: node.type.shape), for: node)
        }
        let home = kernelOf[node.id.index]!
        for (kernel, reason) in refusals {
            for input in Set(node.inputs) where views[input] == nil && kernelOf[input.index] == kernel {
                drafts[home].rejections.append(FusionPlan.Rejection(neighbour: input, reason: reason))
                drafts[kernel].rejections.append(FusionPlan.Rejection(neighbour: node.id, reason: reason))
            }
        }
    }

    /// Why elementwise node `node` cannot join kernel `kernel`, or nil when it can.
    func refusal(_ node: Node, joining kernel: Int, strides: [[Int]]) -> String? {
        let draft = drafts[kernel]
        guard draft.isPreparation == invariant[node.id.index] else {
            return "\(node.op) runs on every run, the kernel once per change of the parameters"
        }
        guard let loopShape = draft.loopShape else {
            let primary = draft.primary.map { graph[$0] }
            return "\(primary?.op ?? "the kernel") produces \(primary?.type.description ?? "no float32"): no elementwise loop to join"
        }
        guard node.type.shape == loopShape else {
            return "\(node.op) has shape \(node.type.shape), the kernel loops over \(loopShape)"
        }
        for (operand, input) in node.inputs.enumerated() {
            if views[input] != nil || wholes[input] != nil {
                if producers(input).contains(where: { $0 >= kernel }) {
                    let source = views[input] ?? input
                    let what = source == input ? "an in-place concatenation" : "a view of \(label(source))"
                    return "\(node.op) reads \(label(input)), \(what), not complete before this kernel runs"
                }
            } else if let inputKernel = kernelOf[input.index] {
                if inputKernel > kernel {
                    return "\(node.op) also reads \(label(input)), which a later kernel computes"
                }
                if inputKernel == kernel, isPrologue(input, of: kernel) {
                    return "\(node.op) reads \(label(input)), which the kernel computes in its prologue, another loop"
                }
                if inputKernel == kernel && !loopShape.readsContiguously(strides[operand]) {
                    return "\(node.op) reads \(label(input)) at broadcast strides, not element by element"
                }
            }
        }
        return nil
    }

    /// Why a node emitted by its own operator's C does not absorb its producers.
    func primaryReason(_ node: Node, _ definition: any Operator) -> String {
        switch definition.fusionKind {
        case .outputFusable: "\(node.op) reads its operands from memory (a GEMM or convolution takes no prologue)"
        case .reduction: "\(node.op) is a reduction; it reads its operand from memory"
        case .injective: "\(node.op) moves data with computed indices; it reads its operand from memory"
        case .opaque: "\(node.op) is opaque; it runs as its own kernel"
        case .elementwise, .broadcast:
            node.type.dtype == .float32 ? "\(node.op) has no elementwise formula" : "\(node.op) produces \(node.type), not f32"
        }
    }

    mutating func rejectProducers(of node: Node, reason: String) {
        let home = kernelOf[node.id.index]!
        for input in Set(node.inputs).sorted() where views[input] == nil {
            guard let kernel = kernelOf[input.index], kernel != home else { continue }
            drafts[home].rejections.append(FusionPlan.Rejection(neighbour: input, reason: reason))
            drafts[kernel].rejections.append(FusionPlan.Rejection(neighbour: node.id, reason: reason))
        }
    }

    // MARK: Storage

    /// Stores every value read outside its kernel, every output and update value, and every
    /// view's source.
    mutating func decideStorage() {
        for output in graph.outputs { pinned.insert(views[output.node] ?? output.node) }
        for update in graph.updates { pinned.insert(views[update.value] ?? update.value) }
        for source in views.values { pinned.insert(source) }
        pinned = pinned.filter { kernelOf[$0.index] != nil }
        stored = pinned
        for node in graph.nodes {
            guard let kernel = kernelOf[node.id.index] else { continue }
            if consumers[node.id.index].contains(where: { views[$0] != nil || kernelOf[$0.index] != kernel }) {
                stored.insert(node.id)
            }
        }
    }

    /// Recomputes a stored elementwise value in the kernels that read it instead, when it is cheap,
    /// its operands are in memory before those kernels run, and fewer bytes move that way.
    mutating func recomputeCheapValues(maxFlopsPerElement: Int) {
        for node in graph.nodes where stored.contains(node.id) && !pinned.contains(node.id) {
            guard let home = kernelOf[node.id.index], drafts[home].primary != node.id else { continue }
            let outside = consumers[node.id.index].filter { kernelOf[$0.index] != home }
            guard outside.allSatisfy({ readsElementByElement($0, node.id) }) else { continue }
            let readers = Set(outside.compactMap { kernelOf[$0.index] }).sorted()
            guard readers.allSatisfy({ drafts[$0].isPreparation == drafts[home].isPreparation }) else { continue }
            let cost = OperatorRegistry.cost(of: node, in: graph)
            guard cost.flops <= maxFlopsPerElement * max(node.type.shape.elementCount, 1) else { continue }
            let firstReader = readers.first ?? home
            let operandsReady = node.inputs.allSatisfy { input in
                let source = views[input] ?? input
                if wholes[source] != nil { return producers(input).allSatisfy { $0 < firstReader } }
                guard let kernel = kernelOf[source.index] else { return true }
                return stored.contains(source) && kernel < firstReader
            }
            guard operandsReady else { continue }
            let operandBytes = Set(node.inputs).reduce(0) { $0 + graph[$1].type.byteCount }
            let storeBytes = node.type.byteCount * (1 + readers.count)
            guard readers.count * operandBytes < storeBytes else { continue }
            stored.remove(node.id)
            for reader in readers {
                let position = drafts[reader].primary.flatMap { drafts[reader].nodes.firstIndex(of: $0) }.map { $0 + 1 } ?? 0
                drafts[reader].nodes.insert(node.id, at: position)
                drafts[reader].recomputed.append(node.id)
            }
            if !consumers[node.id.index].contains(where: { kernelOf[$0.index] == home }) {
                drafts[home].nodes.removeAll { $0 == node.id }
            }
        }
    }

    /// Whether `node` is evaluated before the primary node of `kernel` (in its prologue).
    func isPrologue(_ node: NodeID, of kernel: Int) -> Bool {
        guard let primary = drafts[kernel].primary, let position = drafts[kernel].nodes.firstIndex(of: primary) else {
            return false
        }
        return drafts[kernel].nodes[..<position].contains(node)
    }

    /// Whether `consumer` is an elementwise node of its kernel's loop that reads `value` at the
    /// index it writes (so `value` can be computed in the same loop iteration).
    func readsElementByElement(_ consumer: NodeID, _ value: NodeID) -> Bool {
        guard let kernel = kernelOf[consumer.index], drafts[kernel].primary != consumer,
              !isPrologue(consumer, of: kernel),
              let loopShape = drafts[kernel].loopShape, graph[value].type.shape == loopShape,
              let formula = OperatorRegistry.operator(graph[consumer].op) as? any ElementwiseFormula else { return false }
        let strides = formula.operandStrides(OperatorRegistry.signature(of: graph[consumer], in: graph))
        return graph[consumer].inputs.enumerated().allSatisfy {
            $0.element != value || loopShape.readsContiguously(strides[$0.offset])
        }
    }

    // MARK: Result

    func finish() -> FusionPlan {
        var kernels: [FusionPlan.Kernel] = []
        var attributed = Set<NodeID>()
        for draft in drafts where !draft.nodes.isEmpty {
            // A value no node of the kernel reads and nothing else needs is dead code; it is stored
            // all the same, so that every computed value is used (C compilers warn otherwise).
            let members = Set(draft.nodes)
            let readInside = Set(draft.nodes.flatMap { graph[$0].inputs }).intersection(members)
            let outputs = draft.nodes.filter {
                !draft.recomputed.contains($0) && (stored.contains($0) || !readInside.contains($0))
            }
            var unfused = 0
            for node in draft.nodes where attributed.insert(node).inserted {
                unfused += OperatorRegistry.bytesMoved(by: graph[node], in: graph)
            }
            kernels.append(FusionPlan.Kernel(
                nodes: draft.nodes, primary: draft.primary, outputs: outputs, recomputed: draft.recomputed,
                unfusedBytes: unfused, fusedBytes: fusedBytes(draft, outputs: outputs),
                rejections: uniqued(draft.rejections), isPreparation: draft.isPreparation))
        }
        // Preparation kernels read only constants, parameters and each other: they can all run first.
        kernels = kernels.filter(\.isPreparation) + kernels.filter { !$0.isPreparation }
        let unfusedTotal = graph.nodes.reduce(0) { $0 + OperatorRegistry.bytesMoved(by: $1, in: graph) }
        return FusionPlan(kernels: kernels, views: views, slices: slices, unfusedBytes: unfusedTotal)
    }

    /// The bytes a kernel moves: the primary's operands and output (stored, then read back by an
    /// epilogue), each other buffer read once, each other output stored once.
    func fusedBytes(_ draft: Draft, outputs: [NodeID]) -> Int {
        let members = Set(draft.nodes)
        var bytes = 0
        if let primary = draft.primary {
            // A prologue computes the primary's operands instead of reading them.
            let computed = graph[primary].inputs.filter { members.contains($0) }.reduce(0) { $0 + graph[$1].type.byteCount }
            bytes += OperatorRegistry.cost(of: graph[primary], in: graph).bytesRead - computed + graph[primary].type.byteCount
            if draft.nodes.last != primary { bytes += graph[primary].type.byteCount }
        }
        var read = Set<NodeID>()
        for node in draft.nodes where node != draft.primary {
            for input in graph[node].inputs where !members.contains(input) { read.insert(input) }
        }
        bytes += read.reduce(0) { $0 + graph[$1].type.byteCount }
        bytes += outputs.filter { $0 != draft.primary }.reduce(0) { $0 + graph[$1].type.byteCount }
        return bytes
    }

    func uniqued(_ rejections: [FusionPlan.Rejection]) -> [FusionPlan.Rejection] {
        var seen = Set<FusionPlan.Rejection>()
        return rejections.filter { seen.insert($0).inserted }
    }
}
