import KilnIR

extension ONNXConverters {
    /// `Conv` over three spatial axes ([N, C, D, H, W]) through Kiln's 2-D convolution: for each
    /// depth tap kd of the kernel, the input depths it reads (after the depth padding) move into
    /// the batch, a 2-D convolution with that tap's weights runs over them, and the taps' results
    /// add up. The work is the 3-D convolution's; the slices cost one copy of the input per tap.
    static func conv3D(
        _ x: NodeID, _ w: NodeID, bias: NodeID?, window: SpatialWindow, groups: Int, _ context: inout ImportContext, _ node: ONNXNode
    ) throws(KilnError) -> NodeID {
        let input = context.type(of: x).shape, weight = context.type(of: w).shape
        let (batch, channels, outputs) = (input[0], input[1], weight[0])
        let depth = window.outputSize(0, input: input[2])
        guard depth > 0 else { throw node.error("the depth padding and kernel leave an empty output for input \(input)") }
        let padded = try padDepth(x, window: window, value: 0, &context, node)
        let depthMajor = try context.add("transpose", [padded], attributes: ["perm": .ints([0, 2, 1, 3, 4])], for: node)
        var attributes = windowAttributes(window.planar)
        attributes["groups"] = .int(groups)
        var sum: NodeID?
        for tap in 0..<window.kernel[0] {
            let taps = try depthTaps(depthMajor, axis: 1, tap: tap, count: depth, window: window, &context, node)
            let slices = try reshaped(taps, [batch * depth, channels, input[3], input[4]], &context, node)
            let tapWeight = try context.add("slice", [w], attributes: ["starts": .ints([tap]), "ends": .ints([tap + 1]), "axes": .ints([2])], for: node)
            let planarWeight = try reshaped(tapWeight, [outputs, weight[1], weight[3], weight[4]], &context, node)
            let y = try context.add("conv2d", [slices, planarWeight], attributes: attributes, for: node)
            sum = try sum.map { (previous: NodeID) throws(KilnError) -> NodeID in try context.add("add", [previous, y], for: node) } ?? y
        }
        let planar = context.type(of: sum!).shape
        let grouped = try reshaped(sum!, [batch, depth, outputs, planar[2], planar[3]], &context, node)
        var result = try context.add("transpose", [grouped], attributes: ["perm": .ints([0, 2, 1, 3, 4])], for: node)
        if let bias {
            let column = try reshaped(bias, [outputs, 1, 1, 1], &context, node)
            result = try context.add("add", [result, column], for: node)
        }
        return result
    }

    /// `MaxPool` / `AveragePool` over three spatial axes: the 2-D pooling of every depth slice
    /// (depth folded into the channels), then the maximum or mean over each depth window. With
    /// `count_include_pad` 0 the mean divides by the depths inside the input, as the 2-D pooling
    /// divides by the positions inside it.
    static func pool3D(
        _ op: String, _ x: NodeID, window: SpatialWindow, includePad: Bool, _ context: inout ImportContext, _ node: ONNXNode
    ) throws(KilnError) -> NodeID {
        let input = context.type(of: x).shape
        let (batch, channels, depthIn) = (input[0], input[1], input[2])
        let depth = window.outputSize(0, input: depthIn)
        guard depth > 0 else { throw node.error("the depth padding and kernel leave an empty output for input \(input)") }
        let folded = try reshaped(x, [batch, channels * depthIn, input[3], input[4]], &context, node)
        let planar = try context.add(op, [folded], attributes: poolAttributes(op, window.planar, ceil: false, includePad: includePad), for: node)
        let planarShape = context.type(of: planar).shape
        let volume = try reshaped(planar, [batch, channels, depthIn, planarShape[2], planarShape[3]], &context, node)
        let isMax = op == "max_pool2d"
        let padded = try padDepth(volume, window: window, value: isMax ? -.infinity : 0, &context, node)
        var combined: NodeID?
        for tap in 0..<window.kernel[0] {
            let taps = try depthTaps(padded, axis: 2, tap: tap, count: depth, window: window, &context, node)
            combined = try combined.map { (previous: NodeID) throws(KilnError) -> NodeID in
                try context.add(isMax ? "maximum" : "add", [previous, taps], for: node)
            } ?? taps
        }
        guard !isMax else { return combined! }
        let counts = (0..<depth).map { position in
            (0..<window.kernel[0]).filter { tap in
                let source = position * window.strides[0] - window.pads[0] + tap * window.dilations[0]
                return includePad || (0..<depthIn).contains(source)
            }.count
        }
        let divisors = context.constant(counts.map { 1 / Double(max($0, 1)) }, shape: [depth, 1, 1], for: node)
        return try context.add("mul", [combined!, divisors], for: node)
    }

    /// `x` ([N, C, D, ...]) padded on the depth axis (2) with the window's depth pads.
    private static func padDepth(
        _ x: NodeID, window: SpatialWindow, value: Double, _ context: inout ImportContext, _ node: ONNXNode
    ) throws(KilnError) -> NodeID {
        guard window.pads[0] != 0 || window.pads[3] != 0 else { return x }
        var pads = [Int](repeating: 0, count: 10)
        pads[2] = window.pads[0]
        pads[7] = window.pads[3]
        return try context.add("pad", [x], attributes: ["pads": .ints(pads), "value": .float(value)], for: node)
    }

    /// The `count` depths that depth tap `tap` reads along `axis`, one per output depth.
    private static func depthTaps(
        _ x: NodeID, axis: Int, tap: Int, count: Int, window: SpatialWindow, _ context: inout ImportContext, _ node: ONNXNode
    ) throws(KilnError) -> NodeID {
        let start = tap * window.dilations[0]
        return try context.add("slice", [x], attributes: [
            "starts": .ints([start]), "ends": .ints([start + (count - 1) * window.strides[0] + 1]),
            "axes": .ints([axis]), "steps": .ints([window.strides[0]]),
        ], for: node)
    }
}
