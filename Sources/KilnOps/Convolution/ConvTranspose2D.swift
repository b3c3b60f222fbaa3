import KilnC
import KilnIR

/// 2-D transposed convolution ("deconvolution") in NCHW layout: the adjoint of `conv2d`, which
/// scatters every input element times the kernel into the output,
/// `y[n, g·Cout/G + c, i·sh − top + ki·dh, j·sw − left + kj·dw] += x[n, ci, i, j] · w[ci, c, ki, kj]`,
/// plus the bias.
///
/// Inputs: x [N, Cin, H, W], w [Cin, Cout/groups, Kh, Kw] (PyTorch's layout), optional bias [Cout].
/// Attributes: `stride`, `padding` [top, left, bottom, right], `output_padding` [oh, ow] (default 0;
/// extra rows and columns at the bottom and right; each must be smaller than the stride, so that
/// `conv2d` with the same attributes maps the output back to the input's size), `dilation`,
/// `groups`. Output [N, Cout, Hout, Wout] with
/// `Hout = (H − 1)·sh − top − bottom + dh·(Kh − 1) + oh + 1` (likewise Wout).
///
/// It is `conv2d_backward_input` of a convolution from the output to the input, and shares its C
/// (col2im + GEMM, depthwise loop, or a direct GEMM for 1×1). Cost: MACs = N·Cin·H·W·(Cout/groups)·Kh·Kw,
/// FLOPs = 2·MACs + N·Cout·Hout·Wout bias adds; bytes = x + w (+ bias) read, y written.
/// Gradients: dx = `conv2d`(dy, w), dw = `conv2d_backward_weight`(dy, x), dbias = `sum`(dy) over N, H, W.
public struct ConvTranspose2D: Operator {
    public init() {}
    public var mnemonic: String { "conv_transpose2d" }
    public var arity: ClosedRange<Int> { 2...3 }
    public var fusionKind: FusionKind { .outputFusable }

    /// The geometry of the convolution this operator transposes: its input is our output.
    func geometry(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> ConvolutionGeometry {
        try checkArity(inputs)
        let x = try requireImage(inputs, 0), w = try requireImage(inputs, 1)
        let convolution = try ConvolutionAttributes(attributes, for: self)
        let outputPadding = try SpatialPair.read(attributes, "output_padding", default: SpatialPair(0, 0), minimum: 0, op: self)
        let (stride, padding, dilation, groups) = (convolution.stride, convolution.padding, convolution.dilation, convolution.groups)
        guard outputPadding.height < stride.height && outputPadding.width < stride.width else {
            throw ShapeError("attribute 'output_padding' \(outputPadding) must be smaller than the stride \(stride) in each axis")
        }
        guard x[1] % groups == 0 else {
            throw ShapeError("input 0 of shape \(x) has \(x[1]) channels, not divisible by groups = \(groups)")
        }
        guard w[0] == x[1] else {
            throw ShapeError("input 1 has shape \(w); expected \(x[1]) in dimension 0, the channels of input 0 of shape \(x)")
        }
        guard w[2] >= 1 && w[3] >= 1 else { throw ShapeError("input 1 of shape \(w) has an empty kernel \(w[2])x\(w[3])") }
        let output = SpatialPair(
            (x[2] - 1) * stride.height - padding.top - padding.bottom + dilation.height * (w[2] - 1) + outputPadding.height + 1,
            (x[3] - 1) * stride.width - padding.left - padding.right + dilation.width * (w[3] - 1) + outputPadding.width + 1)
        guard output.height >= 1 && output.width >= 1 && x[2] >= 1 && x[3] >= 1 else {
            throw ShapeError("input 0 of shape \(x): the padding \(padding) leaves an empty output (\(output.size))")
        }
        let geometry = ConvolutionGeometry(
            batch: x[0], inputChannels: w[1] * groups, outputChannels: x[1], groups: groups,
            height: WindowAxis(
                input: output.height, kernel: w[2], stride: stride.height, padBegin: padding.top, padEnd: padding.bottom,
                dilation: dilation.height, output: x[2]),
            width: WindowAxis(
                input: output.width, kernel: w[3], stride: stride.width, padBegin: padding.left, padEnd: padding.right,
                dilation: dilation.width, output: x[3]))
        if inputs.count == 3 {
            guard inputs[2].dtype == .float32, inputs[2].shape == [geometry.inputChannels] else {
                throw ShapeError("input 2 is \(inputs[2]); expected f32[\(geometry.inputChannels)], one bias per output channel")
            }
        }
        return geometry
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        TensorType(.float32, try geometry(inputs, attributes).inputShape)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let g = try! geometry(signature.inputs, signature.attributes)
        var y = Conv2DBackwardInput.reference(g, dy: inputs[0].values, w: inputs[1].values)
        if inputs.count == 3 {
            for index in y.indices { y[index] += inputs[2].values[index / g.inputPlane % g.inputChannels] }
        }
        return ReferenceTensor(signature.output, y)
    }

    public func kernelChoice(_ signature: OperatorSignature) -> KernelChoice? {
        (try? geometry(signature.inputs, signature.attributes))?.backwardChoice("transposed convolution")
    }

    public func scratchBytes(_ signature: OperatorSignature) -> Int {
        Conv2DBackwardInput.scratchBytes(try! geometry(signature.inputs, signature.attributes))
    }

    public func emitC(_ kernel: inout KernelContext) {
        let g = try! geometry(kernel.signature.inputs, kernel.signature.attributes)
        Conv2DBackwardInput.writeTransposedConvolution(
            &kernel.writer, g, dy: kernel.inputs[0], w: kernel.inputs[1], dx: kernel.output, scratch: kernel.scratch)
        if kernel.inputs.count == 3 {
            ConvolutionGeometry.writeBiasAdd(
                &kernel.writer, bias: kernel.inputs[2], output: kernel.output, batch: g.batch,
                channels: g.inputChannels, plane: g.inputPlane)
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        let g = try! geometry(signature.inputs, signature.attributes)
        let biasAdds = signature.inputs.count == 3 ? g.inputShape.elementCount : 0
        return .multiplyAccumulate(signature, macs: g.macs, otherFlops: biasAdds)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let node = context.node
        let (g, convolution) = try context.checked { () throws(ShapeError) in
            (try geometry(node.inputs.map { context.type(of: $0) }, node.attributes), try ConvolutionAttributes(node.attributes, for: self))
        }
        let dy = context.outputGradient, x = context.input(0), w = context.input(1)
        var weightAttributes = convolution.attributes
        weightAttributes["kernel_size"] = g.kernelSize.attribute
        var result: [NodeID?] = [
            try context.add("conv2d", [dy, w], attributes: convolution.attributes),
            try context.add("conv2d_backward_weight", [dy, x], attributes: weightAttributes),
        ]
        if node.inputs.count == 3 {
            result.append(try context.add("sum", [dy], attributes: ["axes": .ints([0, 2, 3]), "keepdims": .bool(false)]))
        }
        return result
    }

    public var testCases: [OperatorTestCase] {
        [
            OperatorTestCase("3x3-bias", inputs: [.f32(1, 2, 3, 3), .f32(2, 3, 3, 3), .f32(3)]),
            OperatorTestCase(
                "stride-2-output-padding", inputs: [.f32(2, 2, 3, 2), .f32(2, 2, 3, 3)],
                attributes: ["stride": .ints([2]), "padding": .ints([1]), "output_padding": .ints([1, 0])]),
            OperatorTestCase(
                "asymmetric-dilated-nonsquare", inputs: [.f32(1, 2, 4, 3), .f32(2, 1, 3, 2)],
                attributes: ["padding": .ints([2, 0, 1, 1]), "dilation": .ints([2, 1])]),
            OperatorTestCase(
                "groups", inputs: [.f32(1, 4, 3, 3), .f32(4, 2, 2, 2), .f32(4)],
                attributes: ["groups": .int(2), "stride": .ints([2])]),
            OperatorTestCase(
                "depthwise", inputs: [.f32(1, 3, 3, 3), .f32(3, 1, 3, 3), .f32(3)],
                attributes: ["groups": .int(3), "stride": .ints([2]), "padding": .ints([1]), "output_padding": .ints([1])]),
            OperatorTestCase("pointwise", inputs: [.f32(2, 3, 2, 3), .f32(3, 4, 1, 1)]),
            OperatorTestCase("size-1", inputs: [.f32(1, 1, 1, 1), .f32(1, 1, 1, 1)]),
        ]
    }
}
