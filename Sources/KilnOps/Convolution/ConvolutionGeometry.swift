import KilnIR

/// The attributes every convolution operator shares: `stride` [sh, sw] (default 1), `padding`
/// [top, left, bottom, right] (or one value, or [h, w]; default 0), `dilation` [dh, dw]
/// (default 1) and `groups` (default 1).
struct ConvolutionAttributes: Hashable {
    var stride: SpatialPair
    var padding: SpatialPadding
    var dilation: SpatialPair
    var groups: Int

    /// Reads the attributes of a node of `op`.
    init(_ attributes: Attributes, for op: some Operator) throws(ShapeError) {
        stride = try SpatialPair.read(attributes, "stride", default: SpatialPair(1, 1), minimum: 1, op: op)
        padding = try SpatialPadding.read(attributes, op: op)
        dilation = try SpatialPair.read(attributes, "dilation", default: SpatialPair(1, 1), minimum: 1, op: op)
        groups = try op.int(attributes, "groups", default: 1)
        guard groups >= 1 else { throw ShapeError("attribute 'groups' must be at least 1, got \(groups)") }
    }

    /// The attributes in explicit form, for the nodes a gradient rule builds.
    var attributes: Attributes {
        [
            "stride": stride.attribute, "padding": padding.attribute, "dilation": dilation.attribute,
            "groups": .int(groups),
        ]
    }

    /// The output extents of a convolution of an input of `size` with a kernel of `kernel`.
    func axes(input size: SpatialPair, kernel: SpatialPair) -> (height: WindowAxis, width: WindowAxis) {
        (
            WindowAxis(
                input: size.height, kernel: kernel.height, stride: stride.height, padBegin: padding.top,
                padEnd: padding.bottom, dilation: dilation.height),
            WindowAxis(
                input: size.width, kernel: kernel.width, stride: stride.width, padBegin: padding.left,
                padEnd: padding.right, dilation: dilation.width)
        )
    }
}

/// Everything about one 2-D convolution in NCHW layout: the tensors' extents, the grouping and the
/// window along each spatial axis. The "input" and "output" are those of the forward convolution,
/// also in the backward operators and in the transposed convolution (whose output is the
/// convolution's input).
///
/// Shapes: input [N, Cin, H, W], weight [Cout, Cin/groups, Kh, Kw], output [N, Cout, Hout, Wout].
struct ConvolutionGeometry: Hashable {
    var batch: Int
    var inputChannels: Int
    var outputChannels: Int
    var groups: Int
    var height: WindowAxis
    var width: WindowAxis

    var inputChannelsPerGroup: Int { inputChannels / groups }
    var outputChannelsPerGroup: Int { outputChannels / groups }
    /// H·W.
    var inputPlane: Int { height.input * width.input }
    /// Hout·Wout.
    var outputPlane: Int { height.output * width.output }
    /// Cin/groups · Kh · Kw: the length of one output element's dot product, and the rows of an
    /// im2col matrix.
    var patchSize: Int { inputChannelsPerGroup * height.kernel * width.kernel }

    var inputShape: Shape { [batch, inputChannels, height.input, width.input] }
    var weightShape: Shape { [outputChannels, inputChannelsPerGroup, height.kernel, width.kernel] }
    var outputShape: Shape { [batch, outputChannels, height.output, width.output] }
    var inputSize: SpatialPair { SpatialPair(height.input, width.input) }
    var kernelSize: SpatialPair { SpatialPair(height.kernel, width.kernel) }
    var outputSize: SpatialPair { SpatialPair(height.output, width.output) }

    /// Multiply-accumulates of the convolution (and of each of its backward products):
    /// N·Cout·Hout·Wout·(Cin/groups)·Kh·Kw.
    var macs: Int { batch * outputChannels * outputPlane * patchSize }

    /// How the C of the backward products computes this shape.
    var strategy: ConvolutionStrategy {
        if isDepthwise { return .depthwise }
        if isPointwise { return .pointwise }
        return .im2col
    }

    /// Bytes of the im2col matrix of one image and group: patchSize × Hout·Wout floats.
    var columnBytes: Int { patchSize * outputPlane * 4 }

    /// Builds the geometry of a convolution from the input and weight extents, with the shape
    /// errors the convolution operators share. The labels name where the extents come from:
    /// `inputLabel` the input channels and size (`input 0 of shape [1,3,8,8]`), `outputLabel`
    /// the output channels, `kernelLabel` the kernel size.
    static func make(
        batch: Int, inputChannels: Int, inputSize: SpatialPair, outputChannels: Int, kernel: SpatialPair,
        attributes: ConvolutionAttributes, inputLabel: String, outputLabel: String, kernelLabel: String
    ) throws(ShapeError) -> ConvolutionGeometry {
        let groups = attributes.groups
        guard inputChannels >= 1 && outputChannels >= 1 else {
            throw ShapeError("\(inputChannels >= 1 ? outputLabel : inputLabel) has no channels")
        }
        guard inputChannels % groups == 0 else {
            throw ShapeError("\(inputLabel) has \(inputChannels) channels, not divisible by groups = \(groups)")
        }
        guard outputChannels % groups == 0 else {
            throw ShapeError("\(outputLabel) has \(outputChannels) output channels, not divisible by groups = \(groups)")
        }
        guard kernel.height >= 1 && kernel.width >= 1 else {
            throw ShapeError("\(kernelLabel) has an empty kernel \(kernel.size)")
        }
        let (height, width) = attributes.axes(input: inputSize, kernel: kernel)
        guard height.output >= 1 && width.output >= 1 else {
            let padded = SpatialPair(
                inputSize.height + height.padBegin + height.padEnd, inputSize.width + width.padBegin + width.padEnd)
            let dilated = SpatialPair(height.span, width.span)
            throw ShapeError(
                "\(inputLabel) padded to \(padded.size) is smaller than the dilated kernel \(dilated.size) of \(kernelLabel)")
        }
        return ConvolutionGeometry(
            batch: batch, inputChannels: inputChannels, outputChannels: outputChannels, groups: groups,
            height: height, width: width)
    }
}

/// The C strategy for a convolution-shaped product, chosen from the shape.
enum ConvolutionStrategy: String {
    /// One input channel per group (depthwise, with any channel multiplier): a direct loop per
    /// channel, since each GEMM would be too small to pay off.
    case depthwise
    /// 1×1, stride 1, unpadded: the image is already the GEMM operand (one `cblas_sgemm` per image and group).
    case pointwise
    /// Patches copied into a scratch matrix (im2col), then one `cblas_sgemm` per image and group.
    case im2col
}
