// Constant folding.
//
// Rewrites: every computed node whose inputs are all constants (after folding the nodes before
// it) into a `const` node holding its value, computed by the float64 reference interpreter and
// stored in float32 by the runtime. The constant keeps the node's name and provenance. A result
// whose elements are all equal is stored as one value; other results are folded only up to
// `PassContext.maxFoldedElements` elements, so folding never bloats the graph.
// Expects: a verified graph. Parameters and inputs are never constants: an expression of
// parameters is not folded (its value changes when the parameters do).
// Leaves for later: the constants the folded nodes read, now possibly unused (dead-code
// elimination); neutral constants the folding produced (algebraic simplification).
// Keeps: topological order, unique names, node types, outputs and updates.

import KilnIR
import KilnInterpreter
import KilnOps

extension Pass {
    /// Evaluates nodes whose inputs are all constants and replaces them by constants.
    public static let constantFolding = Pass(
        id: "constant-folding", summary: "replace nodes whose inputs are all constants by their value"
    ) { graph, context throws(KilnError) in
        try GraphRewriter.rewrite(&graph) { rewriter, node throws(KilnError) in
            guard !node.isLeaf, !node.inputs.isEmpty else { return nil }
            var operands: [ReferenceTensor] = []
            for input in rewriter.mappedInputs(node) {
                guard let values = rewriter.graph.constantValuesIfConstant(input) else { return nil }
                operands.append(ReferenceTensor(rewriter.graph[input].type, values))
            }
            let value = try Interpreter.evaluate(node, in: rewriter.source, operands: operands)
            let splat = value.values.allSatisfy { $0 == value.values.first || ($0.isNaN && value.values[0].isNaN) }
            guard splat || value.values.count <= context.maxFoldedElements else { return nil }
            return rewriter.replace(
                node, op: Node.constantOp, inputs: [],
                attributes: ["value": .floats(splat ? Array(value.values.prefix(1)) : value.values)])
        }
    }
}
