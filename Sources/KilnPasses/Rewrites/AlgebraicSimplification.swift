// Algebraic simplification.
//
// Rewrites, when the result has exactly the type of the operand it reduces to:
//   x·1, 1·x, x/1, x+0, 0+x, x−0, −(−x)            → x
//   reshape to the operand's own shape, expand to the operand's own shape,
//   transpose by the identity permutation           → x
//   reshape(reshape(x))                             → reshape(x), or x when the shapes agree
//   transpose(transpose(x, p), q)                   → transpose(x, p∘q), or x for the identity
// "1" and "0" are constants whose every element is exactly 1 or 0 (a broadcast constant counts).
// An operation whose neutral operand broadcasts the other to a larger shape is left alone: it
// still expands its input.
// Expects: a verified graph.
// Leaves for later: the nodes it bypasses and the constants they read (dead-code elimination);
// constant subexpressions (constant folding). It never rewrites x·0 to 0 (wrong for inf and NaN).
// Keeps: topological order, names of surviving nodes, node types, outputs and updates.

import KilnIR

extension Pass {
    /// Removes operations with neutral operands and collapses chains of reshapes and transposes.
    public static let algebraicSimplification = Pass(
        id: "algebraic-simplification",
        summary: "remove x*1, x+0, x-0, x/1, neutral reshapes/expands/transposes; collapse reshape and transpose chains"
    ) { graph, _ throws(KilnError) in
        try GraphRewriter.rewrite(&graph) { rewriter, node throws(KilnError) in
            guard !node.isLeaf else { return nil }
            return Simplifier.simplify(node, inputs: rewriter.mappedInputs(node), &rewriter)
        }
    }
}

/// The rules of algebraic simplification, one per operator.
private enum Simplifier {
    /// The new node standing for `node`, or nil when no rule applies.
    static func simplify(_ node: Node, inputs: [NodeID], _ rewriter: inout GraphRewriter) -> NodeID? {
        let graph = rewriter.graph
        /// `candidate` when it has the node's type.
        func same(_ candidate: NodeID) -> NodeID? { graph[candidate].type == node.type ? candidate : nil }
        switch node.op {
        case "mul":
            if graph.isConstant(inputs[1], equalTo: 1) { return same(inputs[0]) }
            if graph.isConstant(inputs[0], equalTo: 1) { return same(inputs[1]) }
        case "add":
            if graph.isConstant(inputs[1], equalTo: 0) { return same(inputs[0]) }
            if graph.isConstant(inputs[0], equalTo: 0) { return same(inputs[1]) }
        case "sub":
            if graph.isConstant(inputs[1], equalTo: 0) { return same(inputs[0]) }
        case "div":
            if graph.isConstant(inputs[1], equalTo: 1) { return same(inputs[0]) }
        case "neg":
            if graph[inputs[0]].op == "neg" { return same(graph[inputs[0]].inputs[0]) }
        case "expand", "broadcast_to":
            return same(inputs[0])
        case "reshape":
            if let direct = same(inputs[0]) { return direct }
            let operand = graph[inputs[0]]
            guard operand.op == "reshape" else { return nil }
            if let original = same(operand.inputs[0]) { return original }
            var attributes = node.attributes
            attributes["shape"] = .ints(node.type.shape.dimensions)
            return rewriter.replace(node, op: "reshape", inputs: [operand.inputs[0]], attributes: attributes)
        case "transpose":
            let rank = node.type.shape.rank
            guard let outer = permutation(node.attributes, rank: rank) else { return nil }
            if outer == Array(0..<rank) { return same(inputs[0]) }
            let operand = graph[inputs[0]]
            guard operand.op == "transpose", let inner = permutation(operand.attributes, rank: rank) else { return nil }
            let composed = outer.map { inner[$0] }
            if composed == Array(0..<rank) { return same(operand.inputs[0]) }
            var attributes = node.attributes
            attributes["perm"] = .ints(composed)
            return rewriter.replace(node, op: "transpose", inputs: [operand.inputs[0]], attributes: attributes)
        default:
            break
        }
        return nil
    }

    /// A transpose's permutation with negative axes normalized (absent: the axes reversed), or nil
    /// when it is malformed.
    static func permutation(_ attributes: Attributes, rank: Int) -> [Int]? {
        guard let perm = attributes.ints("perm") else { return Array((0..<rank).reversed()) }
        let normalized = perm.map { $0 < 0 ? $0 + rank : $0 }
        return normalized.sorted() == Array(0..<rank) ? normalized : nil
    }
}
