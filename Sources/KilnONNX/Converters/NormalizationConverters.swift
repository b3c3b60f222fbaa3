import KilnIR
import KilnOps

extension ONNXConverters {
    /// Normalizations and the activations with attributes.
    static let normalization: [String: ONNXConverter] = [
        "BatchNormalization": batchNormalization, "LayerNormalization": layerNormalization,
        "InstanceNormalization": instanceNormalization, "GroupNormalization": groupNormalization, "LRN": lrn,
        "LeakyRelu": attributed("leaky_relu", ["alpha": 0.01]), "Elu": attributed("elu", ["alpha": 1]),
        "Selu": direct("selu"), "Softplus": direct("softplus"), "HardSwish": direct("hard_swish"), "PRelu": direct("prelu"),
        "HardSigmoid": hardSigmoid, "Gelu": gelu,
    ]

    /// An operator whose float attributes carry over with ONNX's defaults.
    static func attributed(_ op: String, _ defaults: [String: Double]) -> ONNXConverter {
        { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
            var attributes = Attributes()
            for (key, fallback) in defaults { attributes[key] = .float(node.float(key, default: fallback)) }
            return [try context.add(op, [try context.input(0, of: node)], attributes: attributes, for: node)]
        }
    }

    /// A normalization composite appended through the builder, named after the node.
    static func composite(
        _ context: inout ImportContext, _ node: ONNXNode, _ body: (inout GraphBuilder) throws(KilnError) -> NodeID
    ) throws(KilnError) -> NodeID {
        let saved = context.builder.provenance
        context.builder.provenance = Provenance(layer: node.name)
        defer { context.builder.provenance = saved }
        return try body(&context.builder)
    }

    static let batchNormalization: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        guard node.outputs.count == 1 || node.outputs.dropFirst().allSatisfy(\.isEmpty), node.int("training_mode", default: 0) == 0 else {
            throw node.error("only the inference form (one output) is supported")
        }
        var inputs: [NodeID] = []
        for index in 0..<5 { inputs.append(try context.input(index, of: node)) }
        return [try context.add("batch_norm", inputs, attributes: ["eps": .float(node.float("epsilon", default: 1e-5))], for: node)]
    }

    static let layerNormalization: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node), scale = try context.input(1, of: node)
        let bias = node.input(2) != nil ? try context.input(2, of: node) : nil
        let rank = context.type(of: x).shape.rank
        let requested = node.int("axis", default: -1)
        guard let axis = context.type(of: x).shape.normalizedAxis(requested) else {
            throw node.error("axis \(requested) is out of range for input \(context.type(of: x).shape)")
        }
        let eps = node.float("epsilon", default: 1e-5)
        return [try composite(&context, node) { (builder: inout GraphBuilder) throws(KilnError) -> NodeID in
            try builder.layerNorm(x, gamma: scale, beta: bias, normalizedRank: rank - axis, eps: eps)
        }]
    }

    static let instanceNormalization: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node), scale = try context.input(1, of: node), bias = try context.input(2, of: node)
        let eps = node.float("epsilon", default: 1e-5)
        return [try composite(&context, node) { (builder: inout GraphBuilder) throws(KilnError) -> NodeID in
            try builder.instanceNorm(x, gamma: scale, beta: bias, eps: eps)
        }]
    }

    static let groupNormalization: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node)
        var scale = try context.input(1, of: node), bias = try context.input(2, of: node)
        guard context.type(of: x).shape.rank >= 2 else {
            throw node.error("input \(context.type(of: x).shape) needs a channel axis (rank 2 or more)")
        }
        let channels = context.type(of: x).shape[1]
        let groups = node.int("num_groups", default: 1), eps = node.float("epsilon", default: 1e-5)
        if context.opset < 21, groups > 0, channels % groups == 0, context.type(of: scale).shape == [groups], context.type(of: bias).shape == [groups] {
            scale = try perGroup(scale, groups: groups, channels: channels, &context, node)
            bias = try perGroup(bias, groups: groups, channels: channels, &context, node)
        }
        guard context.type(of: scale).shape == [channels] else {
            throw node.error("scale must have one value per channel (opset 21) or per group (opset 18), got \(context.type(of: scale))")
        }
        return [try composite(&context, node) { (builder: inout GraphBuilder) throws(KilnError) -> NodeID in
            try builder.groupNorm(x, groups: groups, gamma: scale, beta: bias, eps: eps)
        }]
    }

    /// Opset 18's per-group scale or bias `value` [groups] repeated over each group's channels.
    static func perGroup(_ value: NodeID, groups: Int, channels: Int, _ context: inout ImportContext, _ node: ONNXNode) throws(KilnError) -> NodeID {
        let column = try reshaped(value, [groups, 1], &context, node)
        let spread = try context.add("expand", [column], attributes: ["shape": .ints([groups, channels / groups])], for: node)
        return try reshaped(spread, [channels], &context, node)
    }

    /// `LRN`: ONNX divides α by the window size; Kiln's α multiplies the sum (AlexNet's form).
    static let lrn: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node)
        let size = node.int("size", default: 5)
        let alpha = node.float("alpha", default: 1e-4) / Double(size)
        let beta = node.float("beta", default: 0.75), bias = node.float("bias", default: 1)
        return [try composite(&context, node) { (builder: inout GraphBuilder) throws(KilnError) -> NodeID in
            try builder.localResponseNorm(x, size: size, alpha: alpha, beta: beta, k: bias)
        }]
    }

    /// `HardSigmoid`: max(0, min(1, α·x + β)) with ONNX's α = 0.2, β = 0.5 (not PyTorch's 1/6).
    static let hardSigmoid: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node)
        let scaled = try context.add("mul", [x, context.scalar(node.float("alpha", default: 0.2), for: node)], for: node)
        let shifted = try context.add("add", [scaled, context.scalar(node.float("beta", default: 0.5), for: node)], for: node)
        let low = try context.add("maximum", [shifted, context.scalar(0, for: node)], for: node)
        return [try context.add("minimum", [low, context.scalar(1, for: node)], for: node)]
    }

    static let gelu: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let tanh = node.string("approximate", default: "none") == "tanh"
        return [try context.add("gelu", [try context.input(0, of: node)], attributes: tanh ? ["approximate": .string("tanh")] : [:], for: node)]
    }
}
