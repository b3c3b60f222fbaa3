import KilnC
import KilnIR

/// 2-D convolution (cross-correlation, no kernel flip) in NCHW layout:
/// `y[n, co, oh, ow] = bias[co] + Σ_{c, ki, kj} x[n, g·Cin/G + c, oh·sh − top + ki·dh, ow·sw − left + kj·dw] · w[co, c, ki, kj]`
/// with `g = co / (Cout/G)`; input positions outside the image read zero.
///
/// Inputs: x [N, Cin, H, W], w [Cout, Cin/groups, Kh, Kw], optional bias [Cout].
/// Attributes: `stride` [sh, sw] (default 1), `padding` [top, left, bottom, right] (or one value,
/// or [h, w]; default 0), `dilation` [dh, dw] (default 1), `groups` (default 1; groups = Cin with
/// Cout a multiple of Cin is depthwise). Output [N, Cout, Hout, Wout] with
/// `Hout = ⌊(H + top + bottom − dh·(Kh−1) − 1)/sh⌋ + 1` (likewise Wout).
///
/// A primitive because it is GEMM-shaped. The C follows the kernel plan's algorithm (the rules:
/// `ConvolutionGeometry.forwardChoice`): depthwise → a direct loop (`writeDepthwise`); 1×1
/// stride 1 unpadded → `cblas_sgemm` on the image itself, in column blocks with the epilogue
/// after each (`writePointwise`); otherwise im2col into scratch + `cblas_sgemm`, per image and
/// group: the images of a batch in lanes split across threads (`writeImageLanes`), or, with one
/// lane, a band of output rows at a time when the patch matrix is large
/// (`writeBandedIm2colGEMM`). 3×3 stride-1 shapes where Winograd wins are rewritten to
/// `conv2d_winograd` before code generation (`WinogradRule`). Cost: MACs = N·Cout·Hout·Wout·(Cin/groups)·Kh·Kw,
/// FLOPs = 2·MACs + N·Cout·Hout·Wout bias adds; bytes = x + w (+ bias) read, y written.
/// Gradients: dx = `conv2d_backward_input`(dy, w), dw = `conv2d_backward_weight`(x, dy),
/// dbias = `sum`(dy) over N, H, W.
public struct Conv2D: Operator {
    public init() {}
    public var mnemonic: String { "conv2d" }
    public var arity: ClosedRange<Int> { 2...3 }
    public var fusionKind: FusionKind { .outputFusable }

    func geometry(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> ConvolutionGeometry {
        try checkArity(inputs)
        let x = try requireImage(inputs, 0), w = try requireImage(inputs, 1)
        let convolution = try ConvolutionAttributes(attributes, for: self)
        let geometry = try ConvolutionGeometry.make(
            batch: x[0], inputChannels: x[1], inputSize: SpatialPair(x[2], x[3]), outputChannels: w[0],
            kernel: SpatialPair(w[2], w[3]), attributes: convolution, inputLabel: "input 0 of shape \(x)",
            outputLabel: "input 1 of shape \(w)", kernelLabel: "input 1 of shape \(w)")
        guard w[1] == geometry.inputChannelsPerGroup else {
            throw ShapeError(
                "input 1 has shape \(w); expected \(geometry.inputChannelsPerGroup) input channels per group in dimension 1 "
                    + "(input 0 of shape \(x), groups = \(geometry.groups))")
        }
        if inputs.count == 3 {
            guard inputs[2].dtype == .float32, inputs[2].shape == [w[0]] else {
                throw ShapeError("input 2 is \(inputs[2]); expected f32[\(w[0])], one bias per output channel")
            }
        }
        return geometry
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        TensorType(.float32, try geometry(inputs, attributes).outputShape)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let g = try! geometry(signature.inputs, signature.attributes)
        let x = inputs[0].values, w = inputs[1].values
        let bias = inputs.count == 3 ? inputs[2].values : nil
        let (h, wd) = (g.height, g.width)
        var y = [Double](repeating: 0, count: g.outputShape.elementCount)
        for n in 0..<g.batch {
            for co in 0..<g.outputChannels {
                let firstChannel = co / g.outputChannelsPerGroup * g.inputChannelsPerGroup
                for oh in 0..<h.output {
                    for ow in 0..<wd.output {
                        var sum = bias?[co] ?? 0
                        for c in 0..<g.inputChannelsPerGroup {
                            for ki in 0..<h.kernel {
                                for kj in 0..<wd.kernel {
                                    let ih = h.inputIndex(output: oh, tap: ki), iw = wd.inputIndex(output: ow, tap: kj)
                                    guard (0..<h.input).contains(ih) && (0..<wd.input).contains(iw) else { continue }
                                    let xValue = x[(((n * g.inputChannels) + firstChannel + c) * h.input + ih) * wd.input + iw]
                                    sum += xValue * w[((co * g.inputChannelsPerGroup + c) * h.kernel + ki) * wd.kernel + kj]
                                }
                            }
                        }
                        y[((n * g.outputChannels + co) * h.output + oh) * wd.output + ow] = sum
                    }
                }
            }
        }
        return ReferenceTensor(signature.output, y)
    }

    public func kernelChoice(_ signature: OperatorSignature) -> KernelChoice? {
        (try? geometry(signature.inputs, signature.attributes))?.forwardChoice
    }

    public func kernelAlgorithms(_ signature: OperatorSignature) -> [KernelAlgorithm] {
        (try? geometry(signature.inputs, signature.attributes))?.forwardAlgorithms ?? []
    }

    /// The algorithm a node of `signature` is emitted with: the plan's, or the rules'.
    private func algorithm(_ signature: OperatorSignature, _ g: ConvolutionGeometry) -> KernelAlgorithm {
        signature.algorithm.flatMap { g.forwardAlgorithms.contains($0) ? $0 : nil } ?? g.forwardChoice.algorithm
    }

    public func scratchBytes(_ signature: OperatorSignature) -> Int {
        let g = try! geometry(signature.inputs, signature.attributes)
        switch algorithm(signature, g) {
        case .im2colGEMM: return g.imageLanes > 1 ? g.columnBytes * g.imageLanes : g.bandColumnBytes
        case .depthwiseDirect: return g.depthwiseScratchBytes
        default: return 0
        }
    }

    public func emitC(_ kernel: inout KernelContext) {
        let g = try! geometry(kernel.signature.inputs, kernel.signature.attributes)
        let x = kernel.inputs[0], w = kernel.inputs[1], y = kernel.output
        let inputGroup = g.inputChannelsPerGroup, outputGroup = g.outputChannelsPerGroup
        let algorithm = algorithm(kernel.signature, g)
        kernel.writer.comment("algorithm: \(algorithm.rawValue)")
        switch algorithm {
        case .depthwiseDirect:
            kernel.appliedPlaneEpilogue = g.writeDepthwise(
                &kernel.writer, x: x, w: w, y: y, bias: kernel.inputs.count == 3 ? kernel.inputs[2] : nil,
                scratch: kernel.scratch, epilogue: kernel.planeEpilogue)
            return
        case .pointwiseGEMM:
            kernel.appliedPlaneEpilogue = g.writePointwise(
                &kernel.writer, x: x, w: w, y: y, biasInput: kernel.inputs.count == 3 ? 2 : nil, epilogue: kernel.planeEpilogue)
            if kernel.appliedPlaneEpilogue { return }
        default:  // im2col + GEMM: `forwardAlgorithms` offers nothing else
            g.writeTapRanges(&kernel.writer)
            if g.imageLanes > 1 {
                if g.readsPadding { kernel.writer.line("memset(\(kernel.scratch), 0, \(g.columnBytes * g.imageLanes));") }
                g.writeImageLanes(&kernel.writer, columns: "(float *)\(kernel.scratch)") { image in
                    image.loop("g", count: g.groups) { group in
                        group.line("const float *image = \(x) + (n*\(g.inputChannels) + g*\(inputGroup))*\(g.inputPlane);")
                        g.writeIm2col(&group, image: "image", column: "column", parallel: false)
                        group.line(CExpression.gemm(
                            m: outputGroup, n: g.outputPlane, k: g.patchSize,
                            a: "\(w) + g*\(outputGroup * g.patchSize)", lda: g.patchSize, b: "column", ldb: g.outputPlane,
                            c: "\(y) + (n*\(g.outputChannels) + g*\(outputGroup))*\(g.outputPlane)", ldc: g.outputPlane))
                    }
                }
            } else {
                g.writeBandedIm2colGEMM(&kernel.writer, x: x, w: w, y: y, scratch: kernel.scratch)
            }
        }
        // The bias joins the kernel's elementwise pass: one pass over the output after the GEMM.
        if kernel.inputs.count == 3 { kernel.deferredBias = .init(input: 2, axis: 1) }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        let g = try! geometry(signature.inputs, signature.attributes)
        let biasAdds = signature.inputs.count == 3 ? g.outputShape.elementCount : 0
        return .multiplyAccumulate(signature, macs: g.macs, otherFlops: biasAdds)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let node = context.node
        let (g, convolution) = try context.checked { () throws(ShapeError) in
            (try geometry(node.inputs.map { context.type(of: $0) }, node.attributes), try ConvolutionAttributes(node.attributes, for: self))
        }
        let dy = context.outputGradient, x = context.input(0), w = context.input(1)
        var inputAttributes = convolution.attributes
        inputAttributes["input_size"] = g.inputSize.attribute
        var weightAttributes = convolution.attributes
        weightAttributes["kernel_size"] = g.kernelSize.attribute
        var result: [NodeID?] = [
            try context.add("conv2d_backward_input", [dy, w], attributes: inputAttributes),
            try context.add("conv2d_backward_weight", [x, dy], attributes: weightAttributes),
        ]
        if node.inputs.count == 3 {
            result.append(try context.add("sum", [dy], attributes: ["axes": .ints([0, 2, 3]), "keepdims": .bool(false)]))
        }
        return result
    }

    public var testCases: [OperatorTestCase] {
        [
            OperatorTestCase("3x3-bias", inputs: [.f32(1, 2, 5, 5), .f32(3, 2, 3, 3), .f32(3)]),
            OperatorTestCase("stride-2", inputs: [.f32(2, 2, 7, 6), .f32(2, 2, 3, 3)], attributes: ["stride": .ints([2, 2])]),
            OperatorTestCase(
                "asymmetric-padding", inputs: [.f32(1, 1, 4, 5), .f32(2, 1, 3, 2)],
                attributes: ["padding": .ints([1, 0, 2, 1])]),
            OperatorTestCase(
                "dilation", inputs: [.f32(1, 2, 7, 7), .f32(2, 2, 3, 3)],
                attributes: ["dilation": .ints([2, 2]), "padding": .ints([2])]),
            OperatorTestCase(
                "groups", inputs: [.f32(1, 4, 5, 5), .f32(6, 2, 3, 3), .f32(6)],
                attributes: ["groups": .int(2), "padding": .ints([1, 1])]),
            OperatorTestCase(
                "depthwise", inputs: [.f32(2, 3, 6, 6), .f32(3, 1, 3, 3), .f32(3)],
                attributes: ["groups": .int(3), "padding": .ints([1])]),
            OperatorTestCase(
                "depthwise-multiplier", inputs: [.f32(1, 2, 7, 7), .f32(4, 1, 3, 3)],
                attributes: ["groups": .int(2), "stride": .ints([2]), "padding": .ints([1, 1, 0, 0])]),
            OperatorTestCase(
                "depthwise-dilated-nonsquare", inputs: [.f32(1, 3, 6, 6), .f32(3, 1, 3, 2)],
                attributes: ["groups": .int(3), "dilation": .ints([2, 1]), "padding": .ints([2, 0, 1, 1])]),
            OperatorTestCase(
                "depthwise-5x5-stride-2-odd", inputs: [.f32(1, 7, 9, 11), .f32(7, 1, 5, 5), .f32(7)],
                attributes: ["groups": .int(7), "stride": .ints([2]), "padding": .ints([2, 1, 2, 2])]),
            OperatorTestCase(
                "depthwise-unpadded-multiplier-odd-rows", inputs: [.f32(2, 5, 7, 9), .f32(10, 1, 3, 3)],
                attributes: ["groups": .int(5)]),
            OperatorTestCase(
                "depthwise-stride-2x3-one-sided-padding", inputs: [.f32(1, 3, 8, 10), .f32(3, 1, 3, 3), .f32(3)],
                attributes: ["groups": .int(3), "stride": .ints([2, 3]), "padding": .ints([0, 0, 1, 1])]),
            OperatorTestCase("pointwise", inputs: [.f32(2, 4, 3, 3), .f32(5, 4, 1, 1), .f32(5)]),
            OperatorTestCase("pointwise-groups", inputs: [.f32(1, 4, 3, 2), .f32(4, 2, 1, 1)], attributes: ["groups": .int(2)]),
            OperatorTestCase("1x1-stride-2", inputs: [.f32(1, 3, 5, 5), .f32(2, 3, 1, 1)], attributes: ["stride": .ints([2])]),
            OperatorTestCase(
                "nonsquare", inputs: [.f32(1, 2, 6, 5), .f32(2, 2, 1, 3)],
                attributes: ["stride": .ints([1, 2]), "padding": .ints([0, 1])]),
            OperatorTestCase("kernel-covers-input", inputs: [.f32(1, 2, 3, 3), .f32(4, 2, 3, 3), .f32(4)]),
            OperatorTestCase("size-1", inputs: [.f32(1, 1, 1, 1), .f32(1, 1, 1, 1)]),
        ]
    }
}
