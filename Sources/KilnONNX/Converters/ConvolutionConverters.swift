import KilnIR

extension ONNXConverters {
    /// Convolution, pooling and resizing (NCHW, 2-D).
    static let convolution: [String: ONNXConverter] = [
        "Conv": conv("conv2d"), "ConvTranspose": conv("conv_transpose2d"),
        "MaxPool": pool("max_pool2d"), "AveragePool": pool("avg_pool2d"),
        "GlobalAveragePool": direct("global_avg_pool"), "GlobalMaxPool": direct("global_max_pool"),
        "Resize": resize,
    ]

    /// Explicit `[top, left, bottom, right]` padding from `pads` or `auto_pad` for a 2-D window.
    static func padding(_ node: ONNXNode, input: Shape, kernel: [Int], stride: [Int], dilation: [Int]) throws(KilnError) -> [Int] {
        let mode = node.string("auto_pad", default: "NOTSET")
        switch mode {
        case "NOTSET": return node.ints("pads") ?? [0, 0, 0, 0]
        case "VALID": return [0, 0, 0, 0]
        case "SAME_UPPER", "SAME_LOWER":
            var begin: [Int] = [], end: [Int] = []
            for axis in 0..<2 {
                let size = input[axis + 2], output = (size + stride[axis] - 1) / stride[axis]
                let total = max(0, (output - 1) * stride[axis] + (kernel[axis] - 1) * dilation[axis] + 1 - size)
                let small = total / 2
                begin.append(mode == "SAME_UPPER" ? small : total - small)
                end.append(mode == "SAME_UPPER" ? total - small : small)
            }
            return begin + end
        default: throw node.error("unknown auto_pad '\(mode)'")
        }
    }

    /// `Conv` / `ConvTranspose` with strides, pads, dilations, group (and output_padding).
    static func conv(_ op: String) -> ONNXConverter {
        { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
            let x = try context.input(0, of: node), w = try context.input(1, of: node)
            let input = context.type(of: x).shape, weight = context.type(of: w).shape
            guard input.rank == 4, weight.rank == 4 else { throw node.error("only 2-D convolutions are supported (input \(input), weight \(weight))") }
            let kernel = node.ints("kernel_shape") ?? [weight[2], weight[3]]
            let stride = node.ints("strides") ?? [1, 1], dilation = node.ints("dilations") ?? [1, 1]
            var attributes: Attributes = [
                "stride": .ints(stride), "dilation": .ints(dilation), "groups": .int(node.int("group", default: 1)),
                "padding": .ints(try padding(node, input: input, kernel: kernel, stride: stride, dilation: dilation)),
            ]
            if op == "conv_transpose2d", let outputPadding = node.ints("output_padding") { attributes["output_padding"] = .ints(outputPadding) }
            var inputs = [x, w]
            if node.input(2) != nil { inputs.append(try context.input(2, of: node)) }
            return [try context.add(op, inputs, attributes: attributes, for: node)]
        }
    }

    /// `MaxPool` / `AveragePool`: ONNX strides default to 1 and `count_include_pad` to 0.
    static func pool(_ op: String) -> ONNXConverter {
        { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
            let x = try context.input(0, of: node)
            guard node.outputs.count < 2 || node.outputs[1].isEmpty else { throw node.error("the Indices output is not supported") }
            guard let kernel = node.ints("kernel_shape"), kernel.count == 2 else { throw node.error("only 2-D pooling with kernel_shape is supported") }
            let stride = node.ints("strides") ?? [1, 1], dilation = node.ints("dilations") ?? [1, 1]
            var attributes: Attributes = [
                "kernel_size": .ints(kernel), "stride": .ints(stride), "ceil_mode": .bool(node.int("ceil_mode", default: 0) != 0),
                "padding": .ints(try padding(node, input: context.type(of: x).shape, kernel: kernel, stride: stride, dilation: dilation)),
            ]
            if op == "max_pool2d" {
                attributes["dilation"] = .ints(dilation)
            } else {
                attributes["count_include_pad"] = .bool(node.int("count_include_pad", default: 0) != 0)
            }
            return [try context.add(op, [x], attributes: attributes, for: node)]
        }
    }

    /// `Resize` of the two spatial axes: nearest (asymmetric, floor: PyTorch's nearest) or linear
    /// (half-pixel or align-corners: bilinear).
    static let resize: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node)
        let shape = context.type(of: x).shape
        guard shape.rank == 4 else { throw node.error("only 4-D (NCHW) inputs are supported") }
        var size: [Int]
        if let sizes = try context.integers(3, of: node, what: "sizes") {
            size = Array(sizes.suffix(2))
        } else if let scales = context.constant(2, of: node)?.floats, scales.count == 4 {
            guard scales[0] == 1, scales[1] == 1 else { throw node.error("only the spatial axes can be resized") }
            size = [Int((Double(shape[2]) * Double(scales[2])).rounded(.down)), Int((Double(shape[3]) * Double(scales[3])).rounded(.down))]
        } else {
            throw node.error("needs import-time scales or sizes")
        }
        let mode = node.string("mode", default: "nearest")
        let transform = node.string("coordinate_transformation_mode", default: "half_pixel")
        switch mode {
        case "nearest":
            guard transform == "asymmetric", node.string("nearest_mode", default: "round_prefer_floor") == "floor" else {
                throw node.error("nearest resizing is supported with coordinate_transformation_mode asymmetric and nearest_mode floor")
            }
            return [try context.add("upsample_nearest2d", [x], attributes: ["size": .ints(size)], for: node)]
        case "linear":
            guard transform == "half_pixel" || transform == "align_corners" || transform == "pytorch_half_pixel" else {
                throw node.error("linear resizing is supported with half_pixel or align_corners coordinates, not \(transform)")
            }
            return [try context.add(
                "upsample_bilinear2d", [x], attributes: ["size": .ints(size), "align_corners": .bool(transform == "align_corners")], for: node)]
        default:
            throw node.error("resize mode '\(mode)' is not supported")
        }
    }
}
