// Sums of disjoint pads as one concatenation.
//
// Rewrites: a tree of same-typed `add`s (each inner add read by nothing but the tree) whose leaves
// are zero `pad`s of disjoint ranges along one common axis into one `concat` of the pads' inputs
// in axis order, with zero constants filling the gaps. This is the gradient of slices of one
// tensor: backpropagation through time pads the gradient of each step's slice of an RNN's input
// projection back to the whole sequence and sums them, T full-size tensors written and read for a
// sequence of T steps (quadratic in T); the concatenation writes the sequence once.
// Expects: a verified graph (differentiation has run: the trees come from gradient accumulation).
// Leaves for later: the bypassed adds and pads, for dead-code elimination.
// Keeps: every value exactly (each element of the sum is one leaf's element plus zeros), names,
// outputs and updates; trees with an overlapping, non-zero or multi-axis pad stay as they are.

import KilnIR
import KilnOps

extension Pass {
    /// Replaces sums of zero pads over disjoint ranges of one axis by one concatenation.
    public static let padSumConcatenation = Pass(
        id: "pad-sum-concatenation", summary: "sum of disjoint zero pads (slice gradients) as one concat"
    ) { graph, _ throws(KilnError) in
        guard graph.nodes.contains(where: { $0.op == "pad" }) else { return }
        let consumers = graph.consumers()
        try GraphRewriter.rewrite(&graph) { rewriter, node throws(KilnError) in
            guard node.op == "add", !PadSum.isInner(node, in: rewriter.source, consumers: consumers),
                  let pieces = PadSum.pieces(of: node, in: rewriter.source, consumers: consumers) else { return nil }
            var inputs: [NodeID] = []
            for piece in pieces.ranges {
                if let pad = piece.pad {
                    inputs.append(rewriter.mapped(rewriter.source[pad].inputs[0]))
                } else {
                    var dimensions = node.type.shape.dimensions
                    dimensions[pieces.axis] = piece.count
                    inputs.append(rewriter.constant([0], shape: Shape(dimensions), name: "\(node.name).zeros", origin: node))
                }
            }
            return rewriter.replace(node, op: "concat", inputs: inputs, attributes: ["axis": .int(pieces.axis)])
        }
    }
}

/// The analysis of `padSumConcatenation`: which add trees are sums of disjoint pads.
private enum PadSum {
    /// One range along the axis: a pad's input, or zeros (`pad` nil) of `count` elements.
    struct Piece {
        var pad: NodeID?
        var count: Int
    }

    /// Whether `node` is an add of two operands of its own type, the shape every tree node has.
    static func isTreeAdd(_ node: Node, in graph: Graph) -> Bool {
        node.op == "add" && node.inputs.count == 2 && node.inputs.allSatisfy { graph[$0].type == node.type }
    }

    /// Whether `node` is an inner add of a larger tree: read once, by a tree add of its type.
    static func isInner(_ node: Node, in graph: Graph, consumers: [[NodeID]]) -> Bool {
        let readers = consumers[node.id.index]
        return isTreeAdd(node, in: graph) && readers.count == 1 && isTreeAdd(graph[readers[0]], in: graph)
            && !graph.outputs.contains { $0.node == node.id } && !graph.updates.contains { $0.value == node.id }
    }

    /// The axis and the pieces covering it, when `root`'s tree sums at least two zero pads of
    /// disjoint ranges along one axis and nothing else.
    static func pieces(of root: Node, in graph: Graph, consumers: [[NodeID]]) -> (axis: Int, ranges: [Piece])? {
        guard isTreeAdd(root, in: graph) else { return nil }
        var leaves: [NodeID] = [], stack = root.inputs
        while let id = stack.popLast() {
            if isInner(graph[id], in: graph, consumers: consumers) { stack.append(contentsOf: graph[id].inputs) } else { leaves.append(id) }
        }
        let rank = root.type.shape.rank
        var axis: Int?, ranges: [(start: Int, count: Int, pad: NodeID)] = []
        for leaf in leaves {
            let node = graph[leaf]
            guard node.op == "pad", node.attributes.float("value", default: 0) == 0,
                  let pads = node.attributes.ints("pads"), pads.count == 2 * rank else { return nil }
            let padded = (0..<rank).filter { pads[$0] != 0 || pads[rank + $0] != 0 }
            guard padded.count == 1, axis == nil || axis == padded[0] else { return nil }
            axis = padded[0]
            let count = graph[node.inputs[0]].type.shape[padded[0]]
            guard count > 0 else { return nil }
            ranges.append((pads[padded[0]], count, leaf))
        }
        guard let axis, ranges.count >= 2 else { return nil }
        var pieces: [Piece] = [], cursor = 0
        for range in ranges.sorted(by: { $0.start < $1.start }) {
            guard range.start >= cursor else { return nil }  // overlapping ranges
            if range.start > cursor { pieces.append(Piece(pad: nil, count: range.start - cursor)) }
            pieces.append(Piece(pad: range.pad, count: range.count))
            cursor = range.start + range.count
        }
        let extent = root.type.shape[axis]
        if cursor < extent { pieces.append(Piece(pad: nil, count: extent - cursor)) }
        return (axis, pieces)
    }
}
