// Common-subexpression elimination.
//
// Rewrites: a computed node equal to an earlier one (same operator, same inputs after merging,
// same attributes, same type) into that earlier node; inputs of commutative operators (add, mul,
// maximum, minimum, equal, not_equal) compare as a set. Constants with the same type and values
// merge too. The first node of each class survives, with its name and provenance.
// Expects: a verified graph whose operators are pure (every Kiln operator is: no operator reads
// state, and randomness such as dropout masks arrives as graph inputs).
// Leaves for later: the merged-away nodes are simply not copied; nothing else is left dead.
// Keeps: inputs and parameters (never merged: equal types do not make equal values), topological
// order, outputs and updates.

import KilnIR

extension Pass {
    /// Merges nodes that compute the same value from the same inputs.
    public static let commonSubexpressionElimination = Pass(
        id: "common-subexpression-elimination", summary: "merge nodes computing the same value from the same inputs"
    ) { graph, _ throws(KilnError) in
        var seen: [ExpressionKey: NodeID] = [:]
        try GraphRewriter.rewrite(&graph) { rewriter, node throws(KilnError) in
            guard node.op != Node.inputOp, node.op != Node.parameterOp else { return nil }
            var inputs = rewriter.mappedInputs(node)
            if ExpressionKey.commutative.contains(node.op) { inputs.sort() }
            let key = ExpressionKey(op: node.op, inputs: inputs, attributes: node.attributes, type: node.type)
            if let earlier = seen[key] { return earlier }
            let copy = rewriter.copy(node)
            seen[key] = copy
            return copy
        }
    }
}

/// What makes two nodes compute the same value.
private struct ExpressionKey: Hashable {
    var op: String
    var inputs: [NodeID]
    var attributes: Attributes
    var type: TensorType

    /// Operators whose inputs may be swapped.
    static let commutative: Set<String> = ["add", "mul", "maximum", "minimum", "equal", "not_equal"]
}
