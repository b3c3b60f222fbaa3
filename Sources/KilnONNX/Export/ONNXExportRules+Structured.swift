import KilnIR

extension ONNXExportRules {
    /// Linear algebra, convolution, pooling, normalization, reductions and data movement.
    static let structured: [String: ONNXExportRule] = [
        "matmul": matmul, "conv2d": conv2d, "max_pool2d": pool("MaxPool"), "avg_pool2d": pool("AveragePool"),
        "global_avg_pool": same("GlobalAveragePool"), "global_max_pool": same("GlobalMaxPool"),
        "batch_norm": { context, node, operands in
            context.emit("BatchNormalization", operands, [ONNXAttribute.float("epsilon", node.attributes.float("eps", default: 1e-5))], final: true)
        },
        "reshape": { context, node, operands in
            let dimensions = node.type.shape.dimensions
            let attributes = dimensions.contains(0) ? [ONNXAttribute.int("allowzero", 1)] : []
            return context.emit("Reshape", [operands[0], context.integers(dimensions)], attributes, final: true)
        },
        "expand": { context, node, operands in
            context.emit("Expand", [operands[0], context.integers(node.type.shape.dimensions)], final: true)
        },
        "transpose": { context, node, operands in
            let rank = node.type.shape.rank
            let perm = (node.attributes.ints("perm") ?? Array((0..<rank).reversed())).map { $0 < 0 ? $0 + rank : $0 }
            return context.emit("Transpose", operands, [ONNXAttribute.ints("perm", perm)], final: true)
        },
        "concat": { context, node, operands in
            context.emit("Concat", operands, [ONNXAttribute.int("axis", node.attributes.int("axis", default: 0))], final: true)
        },
        "slice": { context, node, operands in
            let starts = node.attributes.ints("starts") ?? [], ends = node.attributes.ints("ends") ?? []
            let axes = node.attributes.ints("axes") ?? Array(starts.indices)
            let steps = node.attributes.ints("steps") ?? Array(repeating: 1, count: starts.count)
            let inputs = [operands[0], context.integers(starts), context.integers(ends), context.integers(axes), context.integers(steps)]
            return context.emit("Slice", inputs, final: true)
        },
        "gather": { context, node, operands in
            context.emit("Gather", operands, [ONNXAttribute.int("axis", node.attributes.int("axis", default: 0))], final: true)
        },
        "softmax": { context, node, operands in
            context.emit("Softmax", operands, [ONNXAttribute.int("axis", node.attributes.int("axis", default: -1))], final: true)
        },
        "log_softmax": { context, node, operands in
            context.emit("LogSoftmax", operands, [ONNXAttribute.int("axis", node.attributes.int("axis", default: -1))], final: true)
        },
        "mean": reduction("ReduceMean"), "max": reduction("ReduceMax"), "min": reduction("ReduceMin"),
        "sum": { context, node, operands in
            var inputs = [operands[0]]
            if let axes = node.attributes.ints("axes") { inputs.append(context.integers(axes)) }
            return context.emit("ReduceSum", inputs, [ONNXAttribute.int("keepdims", node.attributes.bool("keepdims", default: false) ? 1 : 0)], final: true)
        },
        "argmax": { (context: inout ExportContext, node: Node, operands: [String]) throws(KilnError) -> String in
            guard let axes = node.attributes.ints("axes"), axes.count == 1 else {
                throw .invalidArgument("cannot export to ONNX: argmax '\(node.name)' reduces several axes; ONNX ArgMax takes one")
            }
            let keep = ONNXAttribute.int("keepdims", node.attributes.bool("keepdims", default: false) ? 1 : 0)
            return context.emit("ArgMax", operands, [ONNXAttribute.int("axis", axes[0]), keep], final: true)
        },
        "const": { context, node, _ in
            let values = node.attributes.floats("value") ?? [0]
            let filled = values.count == node.type.shape.elementCount ? values : Array(repeating: values.first ?? 0, count: node.type.shape.elementCount)
            return context.constant(TensorValue(type: node.type, doubles: filled))
        },
    ]

    /// A reduction over `axes` (all when absent), with the axes as an attribute (opset 17).
    static func reduction(_ op: String) -> ONNXExportRule {
        { (context: inout ExportContext, node: Node, operands: [String]) throws(KilnError) -> String in
            var attributes = [ONNXAttribute.int("keepdims", node.attributes.bool("keepdims", default: false) ? 1 : 0)]
            if let axes = node.attributes.ints("axes") { attributes.append(ONNXAttribute.ints("axes", axes)) }
            return context.emit(op, operands, attributes, final: true)
        }
    }

    /// A 2-D window attribute of one or two values as two.
    static func pair(_ node: Node, _ name: String, default fallback: Int) -> [Int] {
        let values = node.attributes.ints(name) ?? [fallback]
        return values.count == 1 ? [values[0], values[0]] : values
    }

    /// Kiln's `[top, left, bottom, right]` padding (or one or two values) as ONNX pads.
    static func pads(_ node: Node) -> [Int] {
        let values = node.attributes.ints("padding") ?? [0]
        switch values.count {
        case 1: return Array(repeating: values[0], count: 4)
        case 2: return values + values
        default: return values
        }
    }

    /// `matmul`, its operands' last two axes swapped first where `transpose_a` / `transpose_b`.
    static let matmul: ONNXExportRule = { (context: inout ExportContext, node: Node, operands: [String]) throws(KilnError) -> String in
        var inputs = operands
        for (index, flag) in ["transpose_a", "transpose_b"].enumerated() where node.attributes.bool(flag, default: false) {
            let rank = max(node.type.shape.rank, 2)
            var perm = Array(0..<rank)
            perm.swapAt(rank - 1, rank - 2)
            inputs[index] = context.emit("Transpose", [inputs[index]], [ONNXAttribute.ints("perm", perm)])
        }
        return context.emit("MatMul", inputs, final: true)
    }

    /// `conv2d(x, w[, b])` as `Conv`, the kernel shape from the weight's.
    static let conv2d: ONNXExportRule = { (context: inout ExportContext, node: Node, operands: [String]) throws(KilnError) -> String in
        let attributes = [
            ONNXAttribute.ints("strides", pair(node, "stride", default: 1)), ONNXAttribute.ints("dilations", pair(node, "dilation", default: 1)),
            ONNXAttribute.ints("pads", pads(node)), ONNXAttribute.int("group", node.attributes.int("groups", default: 1)),
        ]
        return context.emit("Conv", operands, attributes, final: true)
    }

    /// `max_pool2d` / `avg_pool2d` (Kiln's stride defaults to the kernel size and its averages count
    /// padding by default; ONNX's defaults are 1 and no).
    static func pool(_ op: String) -> ONNXExportRule {
        { (context: inout ExportContext, node: Node, operands: [String]) throws(KilnError) -> String in
            let kernel = pair(node, "kernel_size", default: 1)
            var attributes = [
                ONNXAttribute.ints("kernel_shape", kernel),
                ONNXAttribute.ints("strides", node.attributes.ints("stride") == nil ? kernel : pair(node, "stride", default: 1)),
                ONNXAttribute.ints("pads", pads(node)),
                ONNXAttribute.int("ceil_mode", node.attributes.bool("ceil_mode", default: false) ? 1 : 0),
            ]
            if op == "AveragePool" {
                attributes.append(ONNXAttribute.int("count_include_pad", node.attributes.bool("count_include_pad", default: true) ? 1 : 0))
            } else if node.attributes.ints("dilation") != nil {
                attributes.append(ONNXAttribute.ints("dilations", pair(node, "dilation", default: 1)))
            }
            return context.emit(op, operands, attributes, final: true)
        }
    }
}
