import KilnC
import KilnIR

/// The gradient of a 2-D convolution with respect to its weights: the correlation of the input
/// with the output gradient,
/// `dw[co, c, ki, kj] = Σ_{n, oh, ow} dy[n, co, oh, ow] · x[n, g·Cin/G + c, oh·sh − top + ki·dh, ow·sw − left + kj·dw]`.
///
/// Inputs: x [N, Cin, H, W], dy [N, Cout, Hout, Wout]. Attributes: `kernel_size` [Kh, Kw] and the
/// convolution's `stride`, `padding`, `dilation`, `groups`. Output [Cout, Cin/groups, Kh, Kw].
///
/// C: depthwise → a direct reduction per tap with four accumulators; 1×1 stride 1 unpadded →
/// `cblas_sgemm` (dy·xᵀ) accumulated over the images; otherwise im2col into scratch and
/// `cblas_sgemm` (dy·colᵀ) accumulated over images, per group. Cost: the forward convolution's
/// MACs, FLOPs = 2·MACs; bytes = x + dy read, dw written. Gradients (it is linear in each input):
/// dx = `conv2d_backward_input`(dy, g), d(dy) = `conv2d`(x, g).
public struct Conv2DBackwardWeight: Operator {
    public init() {}
    public var mnemonic: String { "conv2d_backward_weight" }
    public var arity: ClosedRange<Int> { 2...2 }
    public var fusionKind: FusionKind { .outputFusable }

    func geometry(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> ConvolutionGeometry {
        try checkArity(inputs)
        let x = try requireImage(inputs, 0), dy = try requireImage(inputs, 1)
        let convolution = try ConvolutionAttributes(attributes, for: self)
        let kernel = try SpatialPair.read(attributes, "kernel_size", default: nil, minimum: 1, op: self)
        let geometry = try ConvolutionGeometry.make(
            batch: x[0], inputChannels: x[1], inputSize: SpatialPair(x[2], x[3]), outputChannels: dy[1], kernel: kernel,
            attributes: convolution, inputLabel: "input 0 of shape \(x)", outputLabel: "input 1 of shape \(dy)",
            kernelLabel: "attribute 'kernel_size' \(kernel)")
        guard dy == geometry.outputShape else {
            throw ShapeError(
                "input 1 has shape \(dy); expected \(geometry.outputShape), the convolution output of input 0 of shape \(x) "
                    + "with kernel size \(kernel.size)")
        }
        return geometry
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        TensorType(.float32, try geometry(inputs, attributes).weightShape)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let g = try! geometry(signature.inputs, signature.attributes)
        let x = inputs[0].values, dy = inputs[1].values
        let (h, wd) = (g.height, g.width)
        var dw = [Double](repeating: 0, count: g.weightShape.elementCount)
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
                                    let xValue = x[((n * g.inputChannels + firstChannel + c) * h.input + ih) * wd.input + iw]
                                    dw[((co * g.inputChannelsPerGroup + c) * h.kernel + ki) * wd.kernel + kj] += gradient * xValue
                                }
                            }
                        }
                    }
                }
            }
        }
        return ReferenceTensor(signature.output, dw)
    }

    public func kernelChoice(_ signature: OperatorSignature) -> KernelChoice? {
        (try? geometry(signature.inputs, signature.attributes))?.backwardChoice("weight gradient")
    }

    public func scratchBytes(_ signature: OperatorSignature) -> Int {
        let g = try! geometry(signature.inputs, signature.attributes)
        return g.strategy == .im2col ? g.imageLanes * g.columnBytes + Self.partialBytes(g) : 0
    }

    /// Bytes of the lanes' partial weight gradients (`ConvolutionGeometry.writeImageLanes`): each
    /// lane sums its images into its own, then the lanes are added in lane order, so the result
    /// does not depend on the thread count. None with one lane, which sums into the output.
    static func partialBytes(_ g: ConvolutionGeometry) -> Int {
        g.imageLanes > 1 ? g.imageLanes * g.weightShape.elementCount * 4 : 0
    }

    public func emitC(_ kernel: inout KernelContext) {
        let g = try! geometry(kernel.signature.inputs, kernel.signature.attributes)
        let x = kernel.inputs[0], dy = kernel.inputs[1], dw = kernel.output
        let inputGroup = g.inputChannelsPerGroup, outputGroup = g.outputChannelsPerGroup
        kernel.writer.comment("strategy: \(g.strategy.rawValue)")
        switch g.strategy {
        case .depthwise:
            writeDepthwise(&kernel, g)
        case .pointwise:
            kernel.writer.line("memset(\(dw), 0, \(g.weightShape.elementCount * 4));")
            kernel.writer.loop("n", count: g.batch) { image in
                image.loop("g", count: g.groups) { group in
                    group.line(CExpression.gemm(
                        transposeB: true, m: outputGroup, n: inputGroup, k: g.outputPlane,
                        a: "\(dy) + (n*\(g.outputChannels) + g*\(outputGroup))*\(g.outputPlane)", lda: g.outputPlane,
                        b: "\(x) + (n*\(g.inputChannels) + g*\(inputGroup))*\(g.inputPlane)", ldb: g.inputPlane,
                        beta: "1.0f", c: "\(dw) + g*\(outputGroup * inputGroup)", ldc: inputGroup))
                }
            }
        case .im2col:
            g.writeTapRanges(&kernel.writer)
            let lanes = g.imageLanes, weights = g.weightShape.elementCount
            let partials = "(float *)\(kernel.scratch) + \(lanes * g.columnBytes / 4)"
            if g.readsPadding { kernel.writer.line("memset(\(kernel.scratch), 0, \(lanes * g.columnBytes));") }
            kernel.writer.line("memset(\(lanes > 1 ? partials : dw), 0, \(lanes * weights * 4));")
            g.writeImageLanes(&kernel.writer, columns: "(float *)\(kernel.scratch)", perLane: { lane, index in
                lane.line("float *partial = \(index.map { "\(partials) + \($0)*\(weights)" } ?? dw);")
            }) { image in
                image.loop("g", count: g.groups) { group in
                    group.line("const float *image = \(x) + (n*\(g.inputChannels) + g*\(inputGroup))*\(g.inputPlane);")
                    g.writeIm2col(&group, image: "image", column: "column", parallel: lanes == 1)
                    group.line(CExpression.gemm(
                        transposeB: true, m: outputGroup, n: g.patchSize, k: g.outputPlane,
                        a: "\(dy) + (n*\(g.outputChannels) + g*\(outputGroup))*\(g.outputPlane)", lda: g.outputPlane,
                        b: "column", ldb: g.outputPlane, beta: "1.0f", c: "partial + g*\(outputGroup * g.patchSize)",
                        ldc: g.patchSize))
                }
            }
            if lanes > 1 {
                kernel.writer.line("const float *sums = \(partials);")
                kernel.writer.parallelLoop("i", count: weights, elements: lanes * weights) { element in
                    element.line("float sum = sums[i];")
                    element.loop("lane", count: lanes - 1) { $0.line("sum += sums[(lane + 1)*\(weights) + i];") }
                    element.line("\(dw)[i] = sum;")
                }
            }
        }
    }

    /// One dot product per (output channel, tap) over every image and the output range the tap
    /// reads inside the image, in four accumulators.
    private func writeDepthwise(_ kernel: inout KernelContext, _ g: ConvolutionGeometry) {
        let x = kernel.inputs[0], dy = kernel.inputs[1], dw = kernel.output
        g.writeTapRanges(&kernel.writer)
        kernel.writer.loop("co", count: g.outputChannels) { channel in
            channel.loop("ki", count: g.height.kernel) { kernelRow in
                kernelRow.loop("kj", count: g.width.kernel) { tap in
                    tap.line("float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f;")
                    tap.loop("n", count: g.batch) { image in
                        image.line("const float *plane = \(x) + (n*\(g.inputChannels) + co/\(g.outputChannelsPerGroup))*\(g.inputPlane);")
                        image.line("const float *source = \(dy) + (n*\(g.outputChannels) + co)*\(g.outputPlane);")
                        image.block("for (long oh = oh_lo[ki]; oh < oh_hi[ki]; oh++)") { row in
                            row.line("long base = \(g.rowOffsetExpression);")
                            g.writeRowSegment(&row)
                            row.line("const float *input = plane + first, *gradient = source + start;")
                            row.line("long k = 0;")
                            row.block("for (; k + 3 < count; k += 4)") { body in
                                for lane in 0..<4 {
                                    let index = lane == 0 ? "k" : "k + \(lane)"
                                    let step = CExpression.linear([(lane == 0 ? "k" : "(k + \(lane))", g.width.stride)], constant: 0)
                                    body.line("a\(lane) += gradient[\(index)] * input[\(step)];")
                                }
                            }
                            row.block("for (; k < count; k++)") { $0.line("a0 += gradient[k] * input[\(g.segmentStep)];") }
                        }
                    }
                    tap.line("\(dw)[(co*\(g.height.kernel) + ki)*\(g.width.kernel) + kj] = (a0 + a1) + (a2 + a3);")
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
        let gradient = context.outputGradient, x = context.input(0), dy = context.input(1)
        var inputAttributes = convolution.attributes
        inputAttributes["input_size"] = g.inputSize.attribute
        return [
            try context.add("conv2d_backward_input", [dy, gradient], attributes: inputAttributes),
            try context.add("conv2d", [x, gradient], attributes: convolution.attributes),
        ]
    }

    public var testCases: [OperatorTestCase] {
        [
            OperatorTestCase(
                "3x3-padded", inputs: [.f32(2, 2, 5, 5), .f32(2, 3, 5, 5)],
                attributes: ["kernel_size": .ints([3, 3]), "padding": .ints([1])]),
            OperatorTestCase(
                "stride-2-nonsquare", inputs: [.f32(1, 2, 8, 7), .f32(1, 2, 3, 3)],
                attributes: ["kernel_size": .ints([3, 2]), "stride": .ints([2])]),
            OperatorTestCase(
                "asymmetric-dilated", inputs: [.f32(1, 1, 5, 5), .f32(1, 2, 4, 5)],
                attributes: ["kernel_size": .ints([3, 2]), "padding": .ints([2, 0, 1, 1]), "dilation": .ints([2, 1])]),
            OperatorTestCase(
                "groups", inputs: [.f32(1, 6, 5, 5), .f32(1, 4, 3, 3)],
                attributes: ["kernel_size": .ints([3]), "groups": .int(2)]),
            OperatorTestCase(
                "depthwise-multiplier", inputs: [.f32(2, 2, 9, 9), .f32(2, 4, 5, 5)],
                attributes: ["kernel_size": .ints([3]), "groups": .int(2), "stride": .ints([2]), "padding": .ints([1])]),
            OperatorTestCase(
                "pointwise", inputs: [.f32(2, 4, 3, 2), .f32(2, 3, 3, 2)], attributes: ["kernel_size": .ints([1])]),
            OperatorTestCase("size-1", inputs: [.f32(1, 1, 1, 1), .f32(1, 1, 1, 1)], attributes: ["kernel_size": .ints([1])]),
        ]
    }
}
