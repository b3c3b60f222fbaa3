import KilnC
import KilnIR
import KilnOps

/// Writes the C function of one kernel of a fusion plan: its parameters (one pointer per buffer it
/// reads, one per value it stores, scratch), a comment naming its nodes, the primary node's own C,
/// and the elementwise loop of the other nodes.
struct KernelEmitter {
    let graph: Graph
    let kernel: FusionPlan.Kernel
    let memory: MemoryPlan
    let kernelPlan: KernelPlan
    let scratchOffset: Int?

    /// The nodes read from memory, in order of first use.
    let reads: [NodeID]
    /// The C name of each node's pointer parameter (reads `x0...`, stores `y0...`).
    let pointers: [NodeID: String]
    /// The pointer the primary node writes: its own output, or (when the primary's value is not
    /// stored) the first stored value of its epilogue, which the epilogue then overwrites in place.
    let accumulator: String?

    init(graph: Graph, kernel: FusionPlan.Kernel, memory: MemoryPlan, kernelPlan: KernelPlan, scratchOffset: Int?) {
        self.graph = graph
        self.kernel = kernel
        self.memory = memory
        self.kernelPlan = kernelPlan
        self.scratchOffset = scratchOffset
        let members = Set(kernel.nodes)
        var reads: [NodeID] = []
        for node in kernel.nodes {
            for input in graph[node].inputs where !members.contains(input) && !reads.contains(input) { reads.append(input) }
        }
        self.reads = reads
        var pointers: [NodeID: String] = [:]
        for (index, node) in reads.enumerated() { pointers[node] = "x\(index)" }
        for (index, node) in kernel.outputs.enumerated() { pointers[node] = "y\(index)" }
        self.pointers = pointers
        accumulator = kernel.accumulator(in: graph).flatMap { pointers[$0] }
    }

    /// The driver's arguments, in parameter order.
    var arguments: [String] {
        var result = reads.map { "(const \(graph[$0].type.dtype.cType) *)(arena + \(memory.offset(of: $0)))" }
        result += kernel.outputs.map { "(\(graph[$0].type.dtype.cType) *)(arena + \(memory.offset(of: $0)))" }
        if let scratchOffset { result.append("arena + \(scratchOffset)") }
        return result
    }

    /// Writes the whole function.
    func writeFunction(_ name: String, to writer: inout CWriter) {
        writer.owner = graph[kernel.nodes.last ?? kernel.outputs[0]].name
        writeHeaderComment(&writer)
        let aliased = overlappingPointers()
        func restrict(_ node: NodeID) -> String { aliased.contains(node) ? "" : "KILN_RESTRICT " }
        var parameters = reads.map { "const \(graph[$0].type.dtype.cType) *\(restrict($0))\(pointers[$0]!)" }
        parameters += kernel.outputs.map { "\(graph[$0].type.dtype.cType) *\(restrict($0))\(pointers[$0]!)" }
        if scratchOffset != nil { parameters.append("unsigned char *KILN_RESTRICT scratch") }
        writer.line("static void \(name)(\(parameters.joined(separator: ", "))) {")
        var body = CWriter()
        var deferredBias: ElementwiseLoop.Bias?
        var appliedEpilogue = false
        if let primary = kernel.primary {
            body.owner = graph[primary].name
            (deferredBias, appliedEpilogue) = writePrimary(primary, &body)
        }
        let loop = kernel.epilogue
        if !appliedEpilogue && (!loop.isEmpty || deferredBias != nil) {
            body.owner = graph[loop.last ?? kernel.primary!].name
            ElementwiseLoop(graph: graph, nodes: loop, primary: kernel.primary, accumulator: accumulator,
                            pointers: pointers, stores: kernel.outputs.filter(loop.contains), primaryBias: deferredBias)
                .write(&body)
        }
        for (line, owner) in zip(body.lines, body.owners) {
            writer.owner = owner
            writer.line(line.isEmpty ? "" : "    " + line)
        }
        writer.line("}")
        writer.line()
    }

    /// The nodes whose buffers overlap another pointer's of this kernel where one of them is
    /// written (a value stored in place over an input): their pointers cannot be `restrict`.
    private func overlappingPointers() -> Set<NodeID> {
        func range(_ node: NodeID) -> Range<Int> {
            let start = memory.offset(of: node)
            return start..<(start + max(graph[node].type.byteCount, 1))
        }
        var result = Set<NodeID>()
        for written in kernel.outputs {
            for other in reads + kernel.outputs where other != written && range(other).overlaps(range(written)) {
                result.insert(written)
                result.insert(other)
            }
        }
        return result
    }

    /// The loop of the kernel's epilogue nodes after `primary`, with `bias` added to the primary's value.
    private func epilogueLoop(_ primary: NodeID, bias: ElementwiseLoop.Bias?) -> ElementwiseLoop {
        let loop = kernel.epilogue
        return ElementwiseLoop(graph: graph, nodes: loop, primary: primary, accumulator: accumulator,
                               pointers: pointers, stores: kernel.outputs.filter(loop.contains), primaryBias: bias)
    }

    /// The vector that `bias` of `node` names, at its strides against the node's output.
    private func biasLoad(_ bias: KernelContext.DeferredBias, of node: Node) -> ElementwiseLoop.Bias {
        var strides = Array(repeating: 0, count: node.type.shape.rank)
        strides[bias.axis] = 1
        return ElementwiseLoop.Bias(pointer: pointers[node.inputs[bias.input]]!, strides: strides)
    }

    /// Writes the primary node's C; returns the bias it left for the elementwise pass, if any, and
    /// whether it applied the epilogue itself (`KernelContext.planeEpilogue`).
    private func writePrimary(_ primary: NodeID, _ writer: inout CWriter) -> (ElementwiseLoop.Bias?, Bool) {
        let node = graph[primary]
        let definition = OperatorRegistry.operator(node.op)!
        let prologue = kernel.prologue
        var context = KernelContext(
            writer: CWriter(), signature: kernelPlan.signature(of: node, in: graph),
            inputs: node.inputs.map { pointers[$0] ?? "(0)" }, output: accumulator!, scratch: "scratch")
        if !prologue.isEmpty {
            precondition(definition.acceptsPrologue, "\(node.op) cannot take an elementwise prologue")
            let loader = PrologueLoader(
                graph: graph, nodes: prologue, result: node.inputs[0], pointers: pointers,
                stores: kernel.outputs.filter(prologue.contains))
            context.loader = loader.load
        }
        if epilogueLoop(primary, bias: nil).fitsPlanes {
            context.planeEpilogue = { writer, range, bias in
                epilogueLoop(primary, bias: bias.map { biasLoad($0, of: node) }).writePlane(&writer, range)
            }
        }
        context.writer.owner = node.name
        definition.emitC(&context)
        if kernel.nodes.count > 1 || context.deferredBias != nil {
            // Scoped, so that the primary's declarations cannot clash with the epilogue's.
            writer.scope { scope in for line in context.writer.lines { scope.line(line) } }
        } else {
            for line in context.writer.lines { writer.line(line) }
        }
        return (context.deferredBias.map { biasLoad($0, of: node) }, context.appliedPlaneEpilogue)
    }

    private func writeHeaderComment(_ writer: inout CWriter) {
        var flops = 0
        for id in kernel.nodes {
            let node = graph[id]
            let cost = OperatorRegistry.cost(of: node, in: graph)
            flops += cost.flops
            var origin = "node \(node.id) '\(node.name)' \(node.op)("
                + node.inputs.map { graph[$0].type.description }.joined(separator: ", ") + ") -> \(node.type)"
            if !node.provenance.layer.isEmpty { origin += ", layer '\(node.provenance.layer)'" }
            if !node.provenance.location.isEmpty { origin += ", \(node.provenance.location)" }
            if kernel.recomputed.contains(id) { origin += " (recomputed)" }
            writer.comment(origin)
        }
        let bytes = kernel.fusedBytes
        let intensity = bytes == 0 ? 0 : (Double(flops) / Double(bytes) * 1000).rounded() / 1000
        var summary = "\(flops) FLOPs, \(bytes) bytes, intensity \(intensity) FLOP/B"
        if kernel.nodes.count > 1 { summary += "; fusion saves \(kernel.bytesSaved) bytes" }
        writer.comment(summary)
    }
}
