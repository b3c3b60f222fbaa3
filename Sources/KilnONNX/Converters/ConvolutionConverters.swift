import KilnIR

extension ONNXConverters {
    /// Convolution, pooling and resizing (NCHW, 2-D).
    static let convolution: [String: ONNXConverter] = [
        "Conv": conv("conv2d"), "ConvTranspose": conv("conv_transpose2d"),
        "MaxPool": pool("max_pool2d"), "AveragePool": pool("avg_pool2d"),
        "GlobalAveragePool": direct("global_avg_pool"), "GlobalMaxPool": direct("global_max_pool"),
        "Resize": resize,
    ]

    /// The Kiln attributes of a 2-D window.
    static func windowAttributes(_ window: SpatialWindow) -> Attributes {
        ["stride": .ints(window.strides), "dilation": .ints(window.dilations), "padding": .ints(window.pads)]
    }

    /// `x` with a unit axis inserted at position 2 ([N, C, L] → [N, C, 1, L]).
    static func lifted(_ x: NodeID, _ context: inout ImportContext, _ node: ONNXNode) throws(KilnError) -> NodeID {
        var dimensions = context.type(of: x).shape.dimensions
        dimensions.insert(1, at: 2)
        return try reshaped(x, dimensions, &context, node)
    }

    /// `y` without its unit axis 2 ([N, C, 1, L] → [N, C, L]).
    static func lowered(_ y: NodeID, _ context: inout ImportContext, _ node: ONNXNode) throws(KilnError) -> NodeID {
        var dimensions = context.type(of: y).shape.dimensions
        dimensions.remove(at: 2)
        return try reshaped(y, dimensions, &context, node)
    }

    /// `Conv` / `ConvTranspose` with strides, pads, dilations, group (and output_padding) over 1
    /// or 2 spatial axes (1-D through the 2-D operator with a unit height), and `Conv` over 3.
    static func conv(_ op: String) -> ONNXConverter {
        { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
            let x = try context.input(0, of: node), w = try context.input(1, of: node)
            let input = context.type(of: x).shape, weight = context.type(of: w).shape
            guard input.rank >= 3, weight.rank == input.rank else {
                throw node.error("input \(input) and weight \(weight) must both be [N, C, spatial...] of the same rank")
            }
            let window = try SpatialWindow(node, input: input, kernel: Array(weight.dimensions[2...]))
            guard Array(weight.dimensions[2...]) == window.kernel else {
                throw node.error("kernel_shape \(window.kernel) differs from the weight's spatial shape \(weight)")
            }
            let groups = node.int("group", default: 1)
            let bias = node.input(2) != nil ? try context.input(2, of: node) : nil
            guard !node.has("output_shape") else { throw node.error("output_shape is not supported; give pads and output_padding") }
            switch window.rank {
            case 1, 2:
                var attributes = windowAttributes(window.lifted)
                attributes["groups"] = .int(groups)
                if op == "conv_transpose2d", let outputPadding = node.ints("output_padding") {
                    guard outputPadding.count == window.rank else {
                        throw node.error("output_padding \(outputPadding) needs \(window.rank) values")
                    }
                    attributes["output_padding"] = .ints(window.rank == 1 ? [0] + outputPadding : outputPadding)
                }
                let lift = window.rank == 1
                var inputs = lift ? [try lifted(x, &context, node), try lifted(w, &context, node)] : [x, w]
                if let bias { inputs.append(bias) }
                let y = try context.add(op, inputs, attributes: attributes, for: node)
                return [lift ? try lowered(y, &context, node) : y]
            case 3 where op == "conv2d":
                return [try conv3D(x, w, bias: bias, window: window, groups: groups, &context, node)]
            default:
                throw node.error("\(window.rank)-D \(node.opType) is not supported (Kiln has 1-D and 2-D\(op == "conv2d" ? " and 3-D" : ""))")
            }
        }
    }

    /// `MaxPool` / `AveragePool` over 1, 2 or 3 spatial axes: ONNX strides default to 1 and
    /// `count_include_pad` to 0.
    static func pool(_ op: String) -> ONNXConverter {
        { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
            let x = try context.input(0, of: node)
            guard node.outputs.count < 2 || node.outputs[1].isEmpty else { throw node.error("the Indices output is not supported") }
            guard node.has("kernel_shape") else { throw node.error("needs kernel_shape") }
            let window = try SpatialWindow(node, input: context.type(of: x).shape, kernel: nil)
            let ceil = node.int("ceil_mode", default: 0) != 0, includePad = node.int("count_include_pad", default: 0) != 0
            switch window.rank {
            case 1, 2:
                let lift = window.rank == 1
                let y = try context.add(
                    op, [lift ? try lifted(x, &context, node) : x], attributes: poolAttributes(op, window.lifted, ceil: ceil, includePad: includePad),
                    for: node)
                return [lift ? try lowered(y, &context, node) : y]
            case 3:
                guard !ceil else { throw node.error("ceil_mode is not supported for 3-D pooling") }
                return [try pool3D(op, x, window: window, includePad: includePad, &context, node)]
            default:
                throw node.error("\(window.rank)-D pooling is not supported (Kiln has 1-D, 2-D and 3-D)")
            }
        }
    }

    /// Kiln's attributes of a 2-D pooling window.
    static func poolAttributes(_ op: String, _ window: SpatialWindow, ceil: Bool, includePad: Bool) -> Attributes {
        var attributes: Attributes = [
            "kernel_size": .ints(window.kernel), "stride": .ints(window.strides), "ceil_mode": .bool(ceil), "padding": .ints(window.pads),
        ]
        if op == "max_pool2d" {
            attributes["dilation"] = .ints(window.dilations)
        } else {
            attributes["count_include_pad"] = .bool(includePad)
        }
        return attributes
    }

    /// `Resize` of the two spatial axes: nearest (asymmetric, floor: PyTorch's nearest) or linear
    /// (half-pixel or align-corners: bilinear).
    static let resize: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        let x = try context.input(0, of: node)
        let shape = context.type(of: x).shape
        guard shape.rank == 4 else { throw node.error("only 4-D (NCHW) inputs are supported") }
        var size: [Int]
        if let sizes = try context.integers(3, of: node, what: "sizes") {
            guard sizes.count == 4, sizes.allSatisfy({ (1...(1 << 31)).contains($0) }) else {
                throw node.error("sizes \(sizes) must give 4 extents from 1 to 2^31")
            }
            size = Array(sizes.suffix(2))
        } else if let scales = context.constant(2, of: node)?.floats, scales.count == 4 {
            guard scales[0] == 1, scales[1] == 1 else { throw node.error("only the spatial axes can be resized") }
            size = []
            for axis in 2...3 {
                let extent = (Double(shape[axis]) * Double(scales[axis])).rounded(.down)
                guard scales[axis] > 0, extent >= 1, extent <= Double(1 << 31) else {
                    throw node.error("scale \(scales[axis]) of axis \(axis) turns \(shape[axis]) into \(extent); expected a positive finite scale giving 1 to 2^31")
                }
                size.append(Int(extent))
            }
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
