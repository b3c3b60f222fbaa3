// Memory planning.
//
// Decides: the byte offset of every stored tensor in one arena. Liveness runs over the kernel
// order of a fusion plan: a value is live from the kernel that stores it to the last kernel that
// reads it (graph outputs and update values until after the last kernel; a value a preparation
// kernel stores for the per-run kernels until the end too, since it must survive between runs). Inputs, parameters
// (optimizer state and gradients kept across steps are parameters too) and constants are
// persistent: live throughout and shared with nothing. Scratch space is live during its kernel.
// A concatenation assembled in place is one buffer holding its parts at their offsets.
// Reuses buffers in place: a kernel stores a value over an input it reads for the last time when
// it reads that input only element by element in its loop and the sizes agree; a state update's
// new value is stored directly in the parameter's buffer when no kernel reads the old value
// afterwards (the update's copy then disappears). Places buffers greedily, largest first, each at
// the lowest-waste gap (best fit) among the buffers live at the same time.
// Expects: a verified graph and a fusion plan of it (`FusionPlanner.plan` or `FusionPlan.unfused`).
// Leaves for later: nothing; the code generator follows the plan. `MemoryPlanChecker` proves it.
// Keeps: every value a kernel reads intact until its last reader has run.

import KilnIR
import KilnOps

/// Places a graph's tensors in one arena; see the comment at the top of this file.
public enum MemoryPlanner {
    /// The memory plan of `graph` executed as `fusion`. `kernelScratch` is the scratch each kernel
    /// needs, in kernel order.
    public static func plan(_ graph: Graph, fusion: FusionPlan, kernelScratch: [Int]) -> MemoryPlan {
        let accesses = KernelAccess.all(fusion, in: graph)
        var groups = BufferGroups(graph: graph, fusion: fusion, accesses: accesses)
        groups.shareUpdatedParameters()
        groups.shareInPlace()
        var buffers = groups.buffers
        let end = fusion.kernels.count
        for (kernel, bytes) in kernelScratch.enumerated() where bytes > 0 {
            buffers.append(MemoryPlan.Buffer(
                offset: 0, bytes: MemoryPlan.aligned(bytes), nodes: [], scratchKernel: kernel, firstStep: kernel,
                lastStep: kernel, persistent: false))
        }
        let arena = MemoryPlan.placeBestFit(&buffers)
        var offsets = [Int?](repeating: nil, count: graph.nodes.count)
        var scratchOffsets = [Int?](repeating: nil, count: end)
        for buffer in buffers {
            for node in buffer.nodes { offsets[node.index] = buffer.offset + (fusion.slices[node]?.byteOffset ?? 0) }
            if let kernel = buffer.scratchKernel { scratchOffsets[kernel] = buffer.offset }
        }
        for (part, slice) in fusion.slices where slice.byteOffset == 0 { offsets[slice.whole.index] = offsets[part.index] }
        for (view, source) in fusion.views { offsets[view.index] = offsets[source.index] }
        return MemoryPlan(
            buffers: buffers, offsets: offsets, scratchOffsets: scratchOffsets, arenaBytes: arena,
            lowerBound: peakLiveBytes(buffers, steps: -1...end),
            naiveBytes: MemoryPlan.naiveBytes(of: graph, scratch: kernelScratch.max() ?? 0))
    }

    /// The largest total size of buffers live at one step.
    static func peakLiveBytes(_ buffers: [MemoryPlan.Buffer], steps: ClosedRange<Int>) -> Int {
        var delta = [Int](repeating: 0, count: steps.count + 1)
        for buffer in buffers {
            delta[buffer.firstStep - steps.lowerBound] += buffer.bytes
            delta[buffer.lastStep - steps.lowerBound + 1] -= buffer.bytes
        }
        var live = 0, peak = 0
        for change in delta {
            live += change
            peak = max(peak, live)
        }
        return peak
    }
}

/// The stored values, their live steps, and which of them share one buffer.
private struct BufferGroups {
    let graph: Graph
    let fusion: FusionPlan
    let accesses: [KernelAccess]
    /// For each stored value (buffer owner), the step that writes it and the last step that reads it.
    var first: [NodeID: Int] = [:]
    var last: [NodeID: Int] = [:]
    /// Union-find parent of each owner: values that share one buffer.
    var parent: [NodeID: NodeID] = [:]
    var persistent = Set<NodeID>()

    init(graph: Graph, fusion: FusionPlan, accesses: [KernelAccess]) {
        self.graph = graph
        self.fusion = fusion
        self.accesses = accesses
        let end = fusion.kernels.count
        for node in graph.nodes where node.isLeaf {
            first[node.id] = -1
            last[node.id] = end
            persistent.insert(node.id)
        }
        for (step, access) in accesses.enumerated() {
            for node in access.writes {
                first[node] = step
                last[node] = max(last[node] ?? step, step)
            }
            for node in access.reads.keys { last[node] = max(last[node] ?? step, step) }
        }
        for needed in graph.outputs.map(\.node) + graph.updates.map(\.value) {
            for part in fusion.memoryParts(of: needed) { last[part] = end }
        }
        // A prepared value read on every run must survive from one run to the next.
        let prepared = fusion.preparationKernelCount
        for access in accesses.prefix(prepared) {
            for node in access.writes where last[node]! >= prepared { last[node] = end }
        }
        for owner in first.keys {
            parent[owner] = owner
            groupLast[owner] = last[owner]!
            groupBytes[owner] = MemoryPlan.aligned(graph[owner].type.byteCount)
        }
        // The parts of a concatenation assembled in place form its buffer, fixed in their places.
        for whole in Set(fusion.slices.values.map(\.whole)) {
            let parts = fusion.parts(of: whole)
            for part in parts.dropFirst() { join(part, to: parts[0]) }
            groupBytes[parts[0]] = MemoryPlan.aligned(graph[whole].type.byteCount)
            fixed.insert(parts[0])
        }
    }

    /// Groups whose members sit at fixed places (concatenations assembled in place): never shared in place.
    var fixed = Set<NodeID>()

    /// For each group's root, the last step any member is live and the largest member's size.
    var groupLast: [NodeID: Int] = [:]
    var groupBytes: [NodeID: Int] = [:]

    /// Puts `node` (a group of its own) into the group of `root`.
    mutating func join(_ node: NodeID, to root: NodeID) {
        parent[node] = root
        groupLast[root] = max(groupLast[root]!, groupLast[node]!)
        groupBytes[root] = max(groupBytes[root]!, groupBytes[node]!)
    }

    func root(_ node: NodeID) -> NodeID {
        var current = node
        while let next = parent[current], next != current { current = next }
        return current
    }

    /// The steps at which some kernel reads `node` (or a view of it).
    func readSteps(_ node: NodeID) -> [Int] {
        accesses.indices.filter { accesses[$0].reads[node] != nil }
    }

    /// Stores each update's new value in its parameter's buffer when that is safe: the value is
    /// stored by a kernel that is the last to read the parameter, reads it only element by element
    /// (so each old element is read before the new one replaces it), and does not write the value
    /// with its primary node; and nothing reads the parameter after the run.
    mutating func shareUpdatedParameters() {
        let valueCounts = Dictionary(graph.updates.map { ($0.value, 1) }, uniquingKeysWith: +)
        let outputs = Set(graph.outputs.map { fusion.storage(of: $0.node) })
        let updateValues = Set(graph.updates.map { fusion.storage(of: $0.value) })
        for update in graph.updates {
            let target = update.target, value = update.value
            guard valueCounts[value] == 1, fusion.views[value] == nil, fusion.slices[value] == nil,
                  let step = first[value], step >= 0,
                  root(value) == value, !outputs.contains(target), !updateValues.contains(target) else { continue }
            let reads = readSteps(target)
            guard reads.allSatisfy({ $0 <= step }) else { continue }
            if reads.contains(step), !accesses[step].mayOverwrite(target, with: value) { continue }
            join(value, to: target)
        }
    }

    /// Stores a kernel's value over an input buffer it reads for the last time, element by element,
    /// when the sizes agree and neither is persistent.
    mutating func shareInPlace() {
        for (step, access) in accesses.enumerated() {
            var taken = Set<NodeID>()
            for output in access.writes where root(output) == output && !fixed.contains(output) {
                let bytes = graph[output].type.byteCount
                let candidate = access.reads.keys.sorted().first { input in
                    let owner = root(input)
                    return !taken.contains(owner) && !persistent.contains(owner) && !fixed.contains(owner)
                        && groupLast[owner] == step
                        && access.mayOverwrite(input, with: output) && graph[input].type.byteCount == bytes
                        && groupBytes[owner] == MemoryPlan.aligned(bytes)
                }
                guard let input = candidate else { continue }
                taken.insert(root(input))
                join(output, to: root(input))
            }
        }
    }


    /// One buffer per group of values sharing storage.
    var buffers: [MemoryPlan.Buffer] {
        var grouped: [NodeID: [NodeID]] = [:]
        for owner in first.keys { grouped[root(owner), default: []].append(owner) }
        return grouped.keys.sorted().map { rootNode in
            let nodes = grouped[rootNode]!.sorted { (first[$0]!, $0) < (first[$1]!, $1) }
            let parts = fixed.contains(rootNode)
            return MemoryPlan.Buffer(
                offset: 0, bytes: groupBytes[rootNode]!,
                nodes: parts ? nodes.sorted { fusion.slices[$0]!.byteOffset < fusion.slices[$1]!.byteOffset } : nodes,
                firstStep: nodes.map { first[$0]! }.min()!, lastStep: nodes.map { last[$0]! }.max()!,
                persistent: persistent.contains(rootNode), holdsParts: parts)
        }
    }
}
