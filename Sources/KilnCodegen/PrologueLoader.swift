import KilnC
import KilnIR
import KilnOps

/// The elementwise prologue of a primary node, computed element by element where the primary's C
/// loads its input 0 (`KernelContext.load`): each load becomes the prologue's formulas evaluated
/// at that offset, with the values other kernels need stored on the way.
///
/// The prologue loops over the shape of the primary's input 0; an operand read at other strides
/// (broadcast) finds its element from the offset's multi-index (division and remainder by the
/// loop's strides).
struct PrologueLoader {
    let graph: Graph
    /// The prologue nodes, in evaluation order; the last value the primary reads is `result`.
    let nodes: [NodeID]
    /// The node whose value the primary reads as its input 0.
    let result: NodeID
    /// The pointer parameter of each node read from or stored to memory.
    let pointers: [NodeID: String]
    /// The prologue values the kernel stores.
    let stores: [NodeID]

    func load(_ input: Int, _ offset: String, _ tag: String) -> (setup: [String], value: String) {
        precondition(input == 0, "a prologue computes input 0 only")
        let loopShape = graph[result].type.shape
        var lines: [String] = []
        var loaded: [String: String] = [:]
        func value(of node: NodeID) -> String { "fv\(tag)_\(node.index)" }
        for id in nodes {
            let node = graph[id]
            guard let formula = OperatorRegistry.operator(node.op) as? any ElementwiseFormula else {
                preconditionFailure("prologue node \(node.name) has no elementwise formula")
            }
            let strides = formula.operandStrides(OperatorRegistry.signature(of: node, in: graph))
            let operands = node.inputs.enumerated().map { operand, input -> String in
                if nodes.contains(input) { return value(of: input) }
                let read = "\(pointers[input]!)[\(index(strides[operand], offset: offset, loopShape: loopShape))]"
                if let name = loaded[read] { return name }
                let name = "fa\(tag)_\(loaded.count)"
                loaded[read] = name
                lines.append("float \(name) = \(read);")
                return name
            }
            lines.append("float \(value(of: id)) = \(formula.cFormula(operands, node.attributes));")
        }
        for id in stores { lines.append("\(pointers[id]!)[\(offset)] = \(value(of: id));") }
        return (lines, value(of: result))
    }

    /// The index of an operand read at `strides` when the loop is at C offset `offset`.
    private func index(_ strides: [Int], offset: String, loopShape: Shape) -> String {
        if loopShape.readsContiguously(strides) { return offset }
        if loopShape.readsOneElement(strides) { return "0" }
        let own = loopShape.strides
        let terms = (0..<loopShape.rank).compactMap { axis -> String? in
            guard loopShape[axis] > 1, strides[axis] != 0 else { return nil }
            var coordinate = own[axis] == 1 ? "(\(offset))" : "(\(offset)) / \(own[axis])"
            if axis > 0 { coordinate = "(\(coordinate)) % \(loopShape[axis])" }
            return strides[axis] == 1 ? "(\(coordinate))" : "(\(coordinate)) * \(strides[axis])"
        }
        return terms.joined(separator: " + ")
    }
}
