import KilnC
import KilnIR

/// The gradient of a 2-D convolution with respect to its input: the transposed convolution of
/// the output gradient dy with the weights,
/// `dx[n, g·Cin/G + c, ih, iw] = Σ dy[n, co, oh, ow] · w[co, c, ki, kj]` over every (co, oh, ow,
/// ki, kj) of group g with `ih = oh·sh − top + ki·dh`, `iw = ow·sw − left + kj·dw`.
///
/// Inputs: dy [N, Cout, Hout, Wout], w [Cout, Cin/groups, Kh, Kw]. Attributes: `input_size`
/// [H, W] (the forward input's size, which stride > 1 leaves ambiguous) and the convolution's
/// `stride`, `padding`, `dilation`, `groups`. Output [N, Cin, H, W] with Cin = groups·w[1].
///
/// C: depthwise → a direct tap-major scatter loop; 1×1 stride 1 unpadded → one `cblas_sgemm`
/// (wᵀ·dy) per image and group; otherwise `cblas_sgemm` into an im2col-shaped scratch matrix
/// followed by col2im. Cost: the forward convolution's MACs, FLOPs = 2·MACs; bytes = dy + w read,
/// dx written. Gradients (it is linear in each input): d(dy) = `conv2d`(g, w),
/// dw = `conv2d_backward_weight`(g, dy).
public struct Conv2DBackwardInput: Operator {
    public init() {}
    public var mnemonic: String { "conv2d_backward_input" }
    public var arity: ClosedRange<Int> { 2...2 }
    public var fusionKind: FusionKind { .outputFusable }

    func geometry(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> ConvolutionGeometry {
        try checkArity(inputs)
        let dy = try requireImage(inputs, 0), w = try requireImage(inputs, 1)
        let convolution = try ConvolutionAttributes(attributes, for: self)
        let inputSize = try SpatialPair.read(attributes, "input_size", default: nil, minimum: 1, op: self)
        guard dy[1] == w[0] else {
            throw ShapeError("input 0 has shape \(dy); expected \(w[0]) channels, the output channels of input 1 of shape \(w)")
        }
        let inputChannels = try checkedProduct(
            w[1], convolution.groups,
            otherwise: "attribute 'groups' \(convolution.groups) times the \(w[1]) channels per group of input 1 of shape \(w) overflows")
        let geometry = try ConvolutionGeometry.make(
            batch: dy[0], inputChannels: inputChannels, inputSize: inputSize, outputChannels: w[0],
            kernel: SpatialPair(w[2], w[3]), attributes: convolution, inputLabel: "attribute 'input_size' \(inputSize)",
            outputLabel: "input 1 of shape \(w)", kernelLabel: "input 1 of shape \(w)")
        guard geometry.outputSize == SpatialPair(dy[2], dy[3]) else {
            throw ShapeError(
                "input 0 has shape \(dy); expected spatial size \(geometry.outputSize.size), "
                    + "the convolution output for attribute 'input_size' \(inputSize)")
        }
        return geometry
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        TensorType(.float32, try geometry(inputs, attributes).inputShape)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let g = try! geometry(signature.inputs, signature.attributes)
        return ReferenceTensor(signature.output, Self.reference(g, dy: inputs[0].values, w: inputs[1].values))
    }

    /// The float64 transposed convolution: every product of the forward convolution, scattered
    /// back to the input position it read.
    static func reference(_ g: ConvolutionGeometry, dy: [Double], w: [Double]) -> [Double] {
        let (h, wd) = (g.height, g.width)
        var dx = [Double](repeating: 0, count: g.inputShape.elementCount)
        for n in 0..<g.batch {
            for co in 0..<g.outputChannels {
                let firstChannel = co / g.outputChannelsPerGroup * g.inputChannelsPerGroup
                for oh in 0..<h.output {
                    for ow in 0..<wd.output {
                        let gradient = dy[((n * g.outputChannels + co) * h.output + oh) * wd.output + ow]
                        for c in 0..<g.inputChannelsPerGroup {
                            for ki in 0..<h.kernel {
                                for kj in 0..<wd.kernel {
                                    let ih = h.inputIndex(output: oh, tap: ki), iw = wd.inputIndex(output: ow, tap: kj)
                                    guard (0..<h.input).contains(ih) && (0..<wd.input).contains(iw) else { continue }
                                    let weight = w[((co * g.inputChannelsPerGroup + c) * h.kernel + ki) * wd.kernel + kj]
                                    dx[((n * g.inputChannels + firstChannel + c) * h.input + ih) * wd.input + iw] += gradient * weight
                                }
                            }
                        }
                    }
                }
            }
        }
        return dx
    }

    public func kernelChoice(_ signature: OperatorSignature) -> KernelChoice? {
        (try? geometry(signature.inputs, signature.attributes))?.backwardChoice("input gradient")
    }

    public func scratchBytes(_ signature: OperatorSignature) -> Int {
        Self.scratchBytes(try! geometry(signature.inputs, signature.attributes))
    }

    /// Scratch of the transposed convolution of `g`: the im2col matrix when that is the strategy.
    static func scratchBytes(_ g: ConvolutionGeometry) -> Int { g.strategy == .im2col ? g.columnBytes * g.imageLanes : 0 }

    public func emitC(_ kernel: inout KernelContext) {
        let g = try! geometry(kernel.signature.inputs, kernel.signature.attributes)
        Self.writeTransposedConvolution(
            &kernel.writer, g, dy: kernel.inputs[0], w: kernel.inputs[1], dx: kernel.output, scratch: kernel.scratch)
    }

    /// Writes the C of dx = transposed convolution of `dy` with `w` for geometry `g` (also the
    /// forward of `conv_transpose2d`).
    static func writeTransposedConvolution(
        _ writer: inout CWriter, _ g: ConvolutionGeometry, dy: String, w: String, dx: String, scratch: String
    ) {
        let inputGroup = g.inputChannelsPerGroup, outputGroup = g.outputChannelsPerGroup
        writer.comment("strategy: \(g.strategy.rawValue)")
        switch g.strategy {
        case .pointwise:
            writer.loop("n", count: g.batch) { image in
                image.loop("g", count: g.groups) { group in
                    group.line(CExpression.gemm(
                        transposeA: true, m: inputGroup, n: g.inputPlane, k: outputGroup,
                        a: "\(w) + g*\(outputGroup * inputGroup)", lda: inputGroup,
                        b: "\(dy) + (n*\(g.outputChannels) + g*\(outputGroup))*\(g.outputPlane)", ldb: g.outputPlane,
                        c: "\(dx) + (n*\(g.inputChannels) + g*\(inputGroup))*\(g.inputPlane)", ldc: g.inputPlane))
                }
            }
        case .depthwise:
            g.writeTapRanges(&writer)
            writer.line("memset(\(dx), 0, \(g.inputShape.elementCount * 4));")
            writer.loop("n", count: g.batch) { image in
                image.loop("co", count: g.outputChannels) { channel in
                    channel.line("float *plane = \(dx) + (n*\(g.inputChannels) + co/\(outputGroup))*\(g.inputPlane);")
                    channel.line("const float *source = \(dy) + (n*\(g.outputChannels) + co)*\(g.outputPlane);")
                    channel.loop("ki", count: g.height.kernel) { kernelRow in
                        kernelRow.loop("kj", count: g.width.kernel) { tap in
                            tap.line("float weight = \(w)[(co*\(g.height.kernel) + ki)*\(g.width.kernel) + kj];")
                            tap.block("for (long oh = oh_lo[ki]; oh < oh_hi[ki]; oh++)") { row in
                                row.line("long base = \(g.rowOffsetExpression);")
                                g.writeRowSegment(&row)
                                row.line("const float *from = source + start;")
                                row.line("float *to = plane + first;")
                                row.block("for (long k = 0; k < count; k++)") { $0.line("to[\(g.segmentStep)] += weight * from[k];") }
                            }
                        }
                    }
                }
            }
        case .im2col:
            g.writeTapRanges(&writer)
            writer.line("memset(\(dx), 0, \(g.inputShape.elementCount * 4));")
            g.writeImageLanes(&writer, columns: "(float *)\(scratch)") { image in
                image.loop("g", count: g.groups) { group in
                    group.line(CExpression.gemm(
                        transposeA: true, m: g.patchSize, n: g.outputPlane, k: outputGroup,
                        a: "\(w) + g*\(outputGroup * g.patchSize)", lda: g.patchSize,
                        b: "\(dy) + (n*\(g.outputChannels) + g*\(outputGroup))*\(g.outputPlane)", ldb: g.outputPlane,
                        c: "column", ldc: g.outputPlane))
                    group.line("float *image = \(dx) + (n*\(g.inputChannels) + g*\(inputGroup))*\(g.inputPlane);")
                    g.writeCol2im(&group, column: "column", image: "image", parallel: g.imageLanes == 1)
                }
            }
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        let g = try! geometry(signature.inputs, signature.attributes)
        return .multiplyAccumulate(signature, macs: g.macs)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let node = context.node
        let (g, convolution) = try context.checked { () throws(ShapeError) in
            (try geometry(node.inputs.map { context.type(of: $0) }, node.attributes), try ConvolutionAttributes(node.attributes, for: self))
        }
        let gradient = context.outputGradient, dy = context.input(0), w = context.input(1)
        var weightAttributes = convolution.attributes
        weightAttributes["kernel_size"] = g.kernelSize.attribute
        return [
            try context.add("conv2d", [gradient, w], attributes: convolution.attributes),
            try context.add("conv2d_backward_weight", [gradient, dy], attributes: weightAttributes),
        ]
    }

    public var testCases: [OperatorTestCase] {
        [
            OperatorTestCase(
                "3x3-padded", inputs: [.f32(1, 3, 5, 5), .f32(3, 2, 3, 3)],
                attributes: ["input_size": .ints([5, 5]), "padding": .ints([1])]),
            OperatorTestCase(
                "stride-2-ambiguous-size", inputs: [.f32(2, 2, 3, 3), .f32(2, 2, 3, 3)],
                attributes: ["input_size": .ints([8, 7]), "stride": .ints([2])]),
            OperatorTestCase(
                "asymmetric-dilated", inputs: [.f32(1, 2, 4, 5), .f32(2, 1, 3, 2)],
                attributes: ["input_size": .ints([5, 5]), "padding": .ints([2, 0, 1, 1]), "dilation": .ints([2, 1])]),
            OperatorTestCase(
                "groups", inputs: [.f32(1, 4, 3, 3), .f32(4, 3, 3, 3)],
                attributes: ["input_size": .ints([5, 5]), "groups": .int(2)]),
            OperatorTestCase(
                "depthwise-multiplier", inputs: [.f32(2, 4, 3, 3), .f32(4, 1, 3, 3)],
                attributes: ["input_size": .ints([6, 6]), "groups": .int(2), "stride": .ints([2]), "padding": .ints([1])]),
            OperatorTestCase(
                "pointwise-groups", inputs: [.f32(2, 4, 3, 2), .f32(4, 3, 1, 1)],
                attributes: ["input_size": .ints([3, 2]), "groups": .int(2)]),
            OperatorTestCase("size-1", inputs: [.f32(1, 1, 1, 1), .f32(1, 1, 1, 1)], attributes: ["input_size": .ints([1])]),
        ]
    }
}
