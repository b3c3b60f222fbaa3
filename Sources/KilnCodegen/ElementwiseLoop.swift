import KilnC
import KilnIR
import KilnOps

/// The fused loop of a kernel: elementwise formulas composed over one loop shape, each value a
/// local variable, every operand loaded once per element (or once before the loop when it is the
/// same element throughout), and the stored values written at the end of each iteration.
///
/// A flat loop `for (long i ...)` serves when every operand is read element by element or is one
/// element; otherwise a loop nest indexes each operand with its own strides (zero along broadcast
/// axes).
struct ElementwiseLoop {
    let graph: Graph
    /// The elementwise nodes, in evaluation order.
    let nodes: [NodeID]
    /// The primary node whose output the loop reads from `accumulator`, if any.
    let primary: NodeID?
    let accumulator: String?
    /// The pointer parameter of each node read from or stored to memory.
    let pointers: [NodeID: String]
    /// The values the loop stores, to their pointers.
    let stores: [NodeID]

    /// A value read from memory: which pointer, at which strides.
    private struct Load: Hashable {
        var pointer: String
        var strides: [Int]
    }

    func write(_ writer: inout CWriter) {
        let loopShape = graph[primary ?? nodes[0]].type.shape
        var loads: [Load] = []
        var operandsOf: [NodeID: [Load?]] = [:]
        for id in nodes {
            let node = graph[id]
            let strides = formula(id).operandStrides(OperatorRegistry.signature(of: node, in: graph))
            operandsOf[id] = node.inputs.enumerated().map { operand, input -> Load? in
                if input == primary || nodes.contains(input) { return nil }
                let load = Load(pointer: pointers[input]!, strides: strides[operand])
                if !loads.contains(load) { loads.append(load) }
                return load
            }
        }
        let invariant = loads.filter { loopShape.readsOneElement($0.strides) }
        let flat = loads.allSatisfy { loopShape.readsContiguously($0.strides) || loopShape.readsOneElement($0.strides) }
        var names: [Load: String] = [:]
        for (index, load) in loads.enumerated() { names[load] = (invariant.contains(load) ? "u" : "a") + String(index) }
        for load in invariant { writer.line("const float \(names[load]!) = \(load.pointer)[0];") }

        func body(_ body: inout CWriter, index: ([Int]) -> String) {
            let own = index(loopShape.strides)
            for load in loads where !invariant.contains(load) {
                body.line("float \(names[load]!) = \(load.pointer)[\(index(load.strides))];")
            }
            if let primary { body.line("float v\(primary.index) = \(accumulator!)[\(own)];") }
            for id in nodes {
                let node = graph[id]
                let operands = zip(node.inputs, operandsOf[id]!).map { input, load in load.map { names[$0]! } ?? "v\(input.index)" }
                body.line("float v\(id.index) = \(formula(id).cFormula(operands, node.attributes));")
            }
            for id in stores { body.line("\(pointers[id]!)[\(own)] = v\(id.index);") }
        }

        if flat {
            writer.loop("i", count: loopShape.elementCount) { loop in body(&loop) { _ in "i" } }
        } else {
            writer.loopNest(loopShape.dimensions) { loop, indices in
                body(&loop) { strides in CWriter.index(indices, strides: strides) }
            }
        }
    }

    private func formula(_ id: NodeID) -> any ElementwiseFormula {
        guard let formula = OperatorRegistry.operator(graph[id].op) as? any ElementwiseFormula else {
            preconditionFailure("node \(id) '\(graph[id].name)' has no elementwise formula but was fused into a loop")
        }
        return formula
    }
}
