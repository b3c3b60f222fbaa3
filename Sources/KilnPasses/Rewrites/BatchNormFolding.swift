// Batch-norm folding (inference only).
//
// Rewrites: batch_norm(conv2d(x, W, b), γ, β, μ, σ²) into conv2d(x, W', b'), and
// batch_norm(matmul(x, W) + b, γ, β, μ, σ²) (bias optional, rank-2 operands) into
// matmul(x, W') + b', with s = γ/√(σ² + ε) per output channel:
//   W' = W · s (along W's output-channel axis),   b' = (b − μ) · s + β   (b = 0 without bias).
// W' and b' are computed in the graph from the parameters (a per-run cost proportional to the
// weights, not to the activations), so the folded graph stays exact when parameters change.
// Only a normalization that reads the convolution or linear layer directly folds: in
// Conv→ReLU→BN the ReLU sits between them and the batch norm stays (the seed catalog's rule,
// §5.5: "Conv->BN->ReLU fuses; Conv->ReLU->BN cannot directly fuse the BN layer").
// Expects: a verified inference graph (`PassContext.isTraining == false`; a training step is
// left as it is). The convolution or linear layer must have no other reader than the batch norm.
// Leaves for later: the unfolded convolution (dead-code elimination); the ReLU after the
// folded convolution, fused as its epilogue by the fusion planner.
// Keeps: topological order, the batch norm's value (the replacement computes the same tensor up
// to rounding), outputs and updates.

import KilnIR
import KilnOps

extension Pass {
    /// Folds inference batch norms into the convolution or linear layer they read.
    public static let batchNormFolding = Pass(
        id: "batch-norm-folding", summary: "fold inference batch norms into the preceding conv2d or matmul(+bias)"
    ) { graph, context throws(KilnError) in
        guard !context.isTraining, graph.nodes.contains(where: { $0.op == "batch_norm" }) else { return }
        let readers = BatchNormFolder.readerCounts(graph)
        try GraphRewriter.rewrite(&graph) { rewriter, node throws(KilnError) in
            guard node.op == "batch_norm",
                  let pattern = BatchNormFolder.match(node, in: rewriter.source, readers: readers) else {
                return nil
            }
            return try BatchNormFolder.fold(node, pattern, &rewriter)
        }
    }
}

/// The patterns batch-norm folding matches and the nodes it builds.
enum BatchNormFolder {
    /// A layer a batch norm folds into.
    enum Pattern {
        /// conv2d(x, W[, b]) → batch_norm.
        case convolution(conv: Node)
        /// [add(] matmul(x, W) [, b)] → batch_norm; `bias` is the bias operand, `add` its node.
        case linear(matmul: Node, add: Node?, bias: NodeID?)
    }

    /// How many nodes, outputs and updates read each node.
    static func readerCounts(_ graph: Graph) -> [Int] {
        var counts = [Int](repeating: 0, count: graph.nodes.count)
        for node in graph.nodes { for input in Set(node.inputs) { counts[input.index] += 1 } }
        for output in graph.outputs { counts[output.node.index] += 1 }
        for update in graph.updates { counts[update.value.index] += 1 }
        return counts
    }

    /// The layer `batchNorm` folds into, or nil.
    static func match(_ batchNorm: Node, in graph: Graph, readers: [Int]) -> Pattern? {
        let operand = graph[batchNorm.inputs[0]]
        guard readers[operand.id.index] == 1 else { return nil }
        if operand.op == "conv2d" { return .convolution(conv: operand) }
        if operand.op == "matmul", linearWeightAxis(operand, in: graph) != nil {
            return .linear(matmul: operand, add: nil, bias: nil)
        }
        guard operand.op == "add", operand.type.shape.rank == 2 else { return nil }
        let channels = operand.type.shape[1]
        for (productIndex, biasIndex) in [(0, 1), (1, 0)] {
            let product = graph[operand.inputs[productIndex]], bias = operand.inputs[biasIndex]
            if product.op == "matmul", readers[product.id.index] == 1, product.type == operand.type,
               linearWeightAxis(product, in: graph) != nil, graph[bias].type.shape == [channels] {
                return .linear(matmul: product, add: operand, bias: bias)
            }
        }
        return nil
    }

    /// For a rank-2 matmul `x·W`, the axis of W holding the output channels (1, or 0 when W is
    /// read transposed); nil for other products.
    static func linearWeightAxis(_ matmul: Node, in graph: Graph) -> Int? {
        guard matmul.type.shape.rank == 2, graph[matmul.inputs[0]].type.shape.rank == 2,
              graph[matmul.inputs[1]].type.shape.rank == 2 else { return nil }
        return matmul.attributes.bool("transpose_b", default: false) ? 0 : 1
    }

    /// Appends the folded layer standing for `batchNorm`.
    static func fold(_ batchNorm: Node, _ pattern: Pattern, _ rewriter: inout GraphRewriter) throws(KilnError) -> NodeID {
        let inputs = rewriter.mappedInputs(batchNorm)
        let gamma = inputs[1], beta = inputs[2], mean = inputs[3], variance = inputs[4]
        let base = "\(batchNorm.name).folded"
        func add(_ op: String, _ operands: [NodeID], _ attributes: Attributes = [:]) throws(KilnError) -> NodeID {
            try rewriter.add(op, operands, attributes: attributes, name: "\(base).\(op)", origin: batchNorm)
        }
        let epsilon = rewriter.constant(
            [batchNorm.attributes.float("eps", default: 1e-5)], shape: [], name: "\(base).eps", origin: batchNorm)
        let scale = try add("mul", [gamma, try add("rsqrt", [try add("add", [variance, epsilon])])])
        let channels = rewriter.graph[scale].type.shape.dimensions

        switch pattern {
        case .convolution(let conv):
            let operands = rewriter.mappedInputs(conv)
            let weightShape = rewriter.graph[operands[1]].type.shape
            let scaleShape = channels + Array(repeating: 1, count: weightShape.rank - 1)
            let weight = try add("mul", [operands[1], try add("reshape", [scale], ["shape": .ints(scaleShape)])])
            let bias = try foldedBias(operands.count == 3 ? operands[2] : nil, mean: mean, scale: scale, beta: beta, add)
            return try rewriter.add(
                "conv2d", [operands[0], weight, bias], attributes: conv.attributes, name: "\(conv.name).folded",
                origin: conv)
        case .linear(let matmul, let addNode, let originalBias):
            let operands = rewriter.mappedInputs(matmul)
            let axis = linearWeightAxis(matmul, in: rewriter.source) ?? 1
            let scaleShape = axis == 1 ? [1] + channels : channels + [1]
            let weight = try add("mul", [operands[1], try add("reshape", [scale], ["shape": .ints(scaleShape)])])
            let product = try rewriter.add(
                "matmul", [operands[0], weight], attributes: matmul.attributes, name: "\(matmul.name).folded",
                origin: matmul)
            let bias = try foldedBias(
                originalBias.map(rewriter.mapped), mean: mean, scale: scale, beta: beta, add)
            return try rewriter.add("add", [product, bias], name: "\((addNode ?? matmul).name).folded", origin: addNode ?? matmul)
        }
    }

    /// b' = (b − μ)·s + β, or β − μ·s without a bias.
    private static func foldedBias(
        _ bias: NodeID?, mean: NodeID, scale: NodeID, beta: NodeID,
        _ add: (String, [NodeID], Attributes) throws(KilnError) -> NodeID
    ) throws(KilnError) -> NodeID {
        guard let bias else { return try add("sub", [beta, try add("mul", [mean, scale], [:])], [:]) }
        return try add("add", [try add("mul", [try add("sub", [bias, mean], [:]), scale], [:]), beta], [:])
    }
}
