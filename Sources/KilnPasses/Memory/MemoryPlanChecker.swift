import KilnIR
import KilnOps

/// Proves a memory plan safe for a graph and its fusion plan: it recomputes liveness from the
/// kernels on its own (values the preparation kernels store for the per-run kernels live to the
/// end; reading a concatenation assembled in place reads every part) and checks that no two
/// values live at the same step share a byte, except where a kernel stores a value exactly over an
/// input it reads for the last time, element by element in its loop (in place), or over the
/// parameter a state update replaces once nothing reads the old value. The parts of an in-place
/// concatenation must sit at their offsets in its buffer. Scratch space must not touch any value
/// live during its kernel.
public enum MemoryPlanChecker {
    /// Everything wrong with `memory`; empty when the plan is safe.
    public static func violations(_ graph: Graph, fusion: FusionPlan, memory: MemoryPlan) -> [String] {
        var checker = Checker(graph: graph, fusion: fusion, memory: memory)
        return checker.run()
    }

    /// Throws `KilnError.invalidGraph` listing the first violations when the plan is unsafe.
    public static func check(_ graph: Graph, fusion: FusionPlan, memory: MemoryPlan) throws(KilnError) {
        let found = violations(graph, fusion: fusion, memory: memory)
        guard found.isEmpty else {
            throw .invalidGraph("memory plan of '\(graph.name)' is unsafe: " + found.prefix(5).joined(separator: "; "))
        }
    }
}

private struct Checker {
    let graph: Graph
    let fusion: FusionPlan
    let memory: MemoryPlan
    var problems: [String] = []
    var first: [NodeID: Int] = [:]
    var last: [NodeID: Int] = [:]
    /// For each stored value, the steps that read it.
    var readers: [NodeID: Set<Int>] = [:]

    init(graph: Graph, fusion: FusionPlan, memory: MemoryPlan) {
        self.graph = graph
        self.fusion = fusion
        self.memory = memory
    }

    var end: Int { fusion.kernels.count }

    func label(_ id: NodeID) -> String { "\(id) '\(graph[id].name)'" }

    func range(_ id: NodeID) -> Range<Int>? {
        guard let offset = memory.offsets[id.index] else { return nil }
        return offset..<(offset + graph[id].type.byteCount)
    }

    mutating func run() -> [String] {
        computeLiveness()
        checkPlacement()
        // Sorted by address, each value meets only the values that start inside its bytes.
        let entries = first.keys.compactMap { owner in range(owner).map { (owner, $0, first[owner]!, last[owner]!) } }
            .sorted { ($0.1.lowerBound, $0.0) < ($1.1.lowerBound, $1.0) }
        for (position, (a, ra, firstA, lastA)) in entries.enumerated() {
            for (b, rb, firstB, lastB) in entries[(position + 1)...] {
                guard rb.lowerBound < ra.upperBound else { break }
                guard firstA <= lastB && firstB <= lastA, ra.overlaps(rb), !sharesLegally(a, b) else { continue }
                problems.append("\(label(a)) (steps \(firstA)...\(lastA), bytes \(ra)) and \(label(b)) "
                    + "(steps \(firstB)...\(lastB), bytes \(rb)) overlap while both are live")
            }
        }
        checkScratch()
        return problems
    }

    mutating func computeLiveness() {
        for node in graph.nodes where node.isLeaf {
            first[node.id] = -1
            last[node.id] = end
        }
        for (step, kernel) in fusion.kernels.enumerated() {
            for node in kernel.outputs {
                if first[node] != nil { problems.append("\(label(node)) is stored twice") }
                first[node] = step
                last[node] = max(last[node] ?? step, step)
            }
        }
        for (step, kernel) in fusion.kernels.enumerated() {
            let members = Set(kernel.nodes)
            for node in kernel.nodes {
                for input in graph[node].inputs where !members.contains(input) {
                    for storage in fusion.memoryParts(of: input) {
                        guard let written = first[storage], written < step else {
                            problems.append("kernel \(step) reads \(label(input)) before any kernel stores it")
                            continue
                        }
                        readers[storage, default: []].insert(step)
                        last[storage] = max(last[storage]!, step)
                    }
                }
            }
        }
        let prepared = fusion.preparationKernelCount
        for kernel in fusion.kernels.prefix(prepared) {
            for node in kernel.outputs where last[node]! >= prepared { last[node] = end }
        }
        for needed in graph.outputs.map(\.node) + graph.updates.map(\.value) {
            for storage in fusion.memoryParts(of: needed) {
                guard last[storage] != nil else {
                    problems.append("\(label(needed)) is needed after the run but never stored")
                    continue
                }
                last[storage] = end
                readers[storage, default: []].insert(end)
            }
        }
    }

    mutating func checkPlacement() {
        for owner in first.keys.sorted() {
            guard let range = range(owner) else {
                problems.append("\(label(owner)) is stored but has no offset")
                continue
            }
            if let slice = fusion.slices[owner] {
                if memory.offsets[slice.whole.index].map({ $0 + slice.byteOffset }) != range.lowerBound {
                    problems.append("\(label(owner)) is not at byte \(slice.byteOffset) of \(label(slice.whole))")
                }
            } else if range.lowerBound % MemoryPlan.alignment != 0 {
                problems.append("\(label(owner)) is not aligned")
            }
            if range.lowerBound < 0 || range.upperBound > memory.arenaBytes {
                problems.append("\(label(owner)) at \(range) lies outside the arena of \(memory.arenaBytes) bytes")
            }
        }
        for (view, source) in fusion.views where memory.offsets[view.index] != memory.offsets[source.index] {
            problems.append("view \(label(view)) is not at the offset of \(label(source))")
        }
    }

    /// Whether live values `a` and `b` may overlap: one is stored exactly over the other by the
    /// kernel that reads the other for the last time, or is the new value of the parameter.
    func sharesLegally(_ a: NodeID, _ b: NodeID) -> Bool {
        guard memory.offsets[a.index] == memory.offsets[b.index] else { return false }
        for (old, new) in [(a, b), (b, a)] {
            let step = first[new]!
            guard step >= 0 else { continue }
            let isUpdate = graph.updates.contains { $0.target == old && $0.value == new }
            let oldDiesHere = isUpdate ? (readers[old] ?? []).allSatisfy { $0 <= step } : last[old] == step
            guard oldDiesHere, graph[old].type.byteCount == graph[new].type.byteCount || isUpdate else { continue }
            if !(readers[old] ?? []).contains(step) && isUpdate { return true }
            if overwritesSafely(kernel: step, old: old, new: new) { return true }
        }
        return false
    }

    /// Whether kernel `kernel` reads `old` only element by element in its loop, and stores `new`
    /// from its loop rather than from its primary node.
    func overwritesSafely(kernel index: Int, old: NodeID, new: NodeID) -> Bool {
        let kernel = fusion.kernels[index]
        let members = Set(kernel.nodes)
        guard kernel.outputs.contains(new), kernel.accumulator(in: graph) != new else { return false }
        for id in kernel.prologue + (kernel.primary.map { [$0] } ?? [])
        where graph[id].inputs.contains(where: { !members.contains($0) && fusion.storage(of: $0) == old }) {
            return false
        }
        let loopShape = graph[kernel.primary ?? kernel.nodes[0]].type.shape
        for id in kernel.epilogue {
            let node = graph[id]
            for (operand, input) in node.inputs.enumerated() where !members.contains(input) && fusion.storage(of: input) == old {
                guard let formula = OperatorRegistry.operator(node.op) as? any ElementwiseFormula else { return false }
                let strides = formula.operandStrides(OperatorRegistry.signature(of: node, in: graph))[operand]
                guard loopShape.readsContiguously(strides),
                      graph[input].type.shape.elementCount == graph[old].type.shape.elementCount else { return false }
            }
        }
        return true
    }

    mutating func checkScratch() {
        for (step, kernel) in fusion.kernels.enumerated() {
            guard let primary = kernel.primary else { continue }
            let bytes = OperatorRegistry.scratchBytes(of: graph[primary], in: graph)
            guard bytes > 0 else { continue }
            guard let offset = memory.scratchOffsets[step] else {
                problems.append("kernel \(step) needs \(bytes) bytes of scratch but has none")
                continue
            }
            let scratch = offset..<(offset + bytes)
            if scratch.upperBound > memory.arenaBytes { problems.append("scratch of kernel \(step) lies outside the arena") }
            for (owner, start) in first where start <= step && step <= last[owner]! {
                if let range = range(owner), range.overlaps(scratch) {
                    problems.append("scratch of kernel \(step) overlaps \(label(owner)), live at that step")
                }
            }
        }
    }
}
