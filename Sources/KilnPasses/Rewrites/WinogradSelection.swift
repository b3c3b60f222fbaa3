// Winograd selection.
//
// Rewrites: conv2d(x, w[, b]) into conv2d_winograd(x, winograd_filter(w), [b]) with the same
// padding, for the shapes where `WinogradRule` says Winograd F(m×m, 3×3) is faster than im2col +
// GEMM (3×3, stride 1, dilation 1, one group, large planes), or, where `--tune` timed the
// convolution's shape (`PassContext.tuned`), exactly where a Winograd variant was fastest.
// Expects: a verified graph, inference or training step (differentiation has already run, so the
// backward convolutions keep reading w, x and dy; the forward uses Winograd).
// Leaves for later: the filter transform reads only parameters, so the fusion planner puts it in
// the preparation kernels (once per change of the weights); in a training step, whose updates
// change the weights, it runs each step. The unused conv2d is not left behind (it is replaced).
// Keeps: topological order, each convolution's value up to Winograd's rounding (bounds in
// `Conv2DWinograd`), names, outputs and updates.

import KilnIR
import KilnOps

extension Pass {
    /// Computes the 3×3 stride-1 convolutions where Winograd wins by `conv2d_winograd`.
    public static let winogradSelection = Pass(
        id: "winograd-selection", summary: "compute large 3x3 stride-1 conv2d by Winograd F(4x4,3x3) over transformed filters"
    ) { graph, context throws(KilnError) in
        guard graph.nodes.contains(where: { $0.op == "conv2d" }) else { return }
        try GraphRewriter.rewrite(&graph) { rewriter, node throws(KilnError) in
            guard node.op == "conv2d",
                  let tile = tile(for: node, in: rewriter.source, tuned: context.tuned) else { return nil }
            let inputs = rewriter.mappedInputs(node)
            let filter = try rewriter.add(
                "winograd_filter", [inputs[1]], attributes: ["tile": .int(tile)], name: "\(node.name).winograd_filter",
                origin: node)
            var attributes: Attributes = ["tile": .int(tile)]
            if let padding = node.attributes["padding"] { attributes["padding"] = padding }
            return rewriter.replace(node, op: "conv2d_winograd", inputs: [inputs[0], filter] + inputs.dropFirst(2), attributes: attributes)
        }
    }
}

/// The tile side for `node`: its tuned algorithm's where its shape was tuned, else the rules'.
private func tile(for node: Node, in graph: Graph, tuned: TunedKernels) -> Int? {
    let signature = OperatorRegistry.signature(of: node, in: graph)
    guard let timed = tuned.choice(for: node, in: graph) else { return WinogradRule.tile(for: signature) }
    guard WinogradRule.isComputable(signature) else { return nil }
    switch timed.algorithm {
    case .winogradF2x2: return 2
    case .winogradF4x4: return 4
    default: return nil
    }
}
