import KilnC
import KilnIR

/// Deformable convolution v1 (Dai et al. 2017; torchvision's `deform_conv2d` without a mask):
/// a convolution whose tap (ki, kj) at output (oh, ow) reads the input at the regular position
/// plus a learned offset, interpolating bilinearly (zero outside the image):
/// `y[n, co, oh, ow] = bias[co] + Σ_{c, ki, kj} w[co, c, ki, kj] · x̃[n, g·Cin/G + c](oh·sh − top + ki·dh + Δh, ow·sw − left + kj·dw + Δw)`.
/// The offsets are per position, not a deformed kernel (seed catalog §1.1); a 3×3 kernel takes
/// 2·3·3 = 18 offset channels per offset group.
///
/// Inputs: x [N, Cin, H, W], offset [N, 2·G·Kh·Kw, Hout, Wout] (G offset groups, layout in
/// `DeformableGeometry`), w [Cout, Cin/groups, Kh, Kw], optional bias [Cout]. Attributes: those of
/// `conv2d` (`stride`, `padding`, `dilation`, `groups`). Output [N, Cout, Hout, Wout].
///
/// C: a deformable im2col (a bilinear sample per matrix entry) into scratch, then `cblas_sgemm`
/// per image and group. Cost: the convolution's MACs (N·Cout·Hout·Wout·(Cin/groups)·Kh·Kw),
/// FLOPs = 2·MACs + 7 per bilinear sample (N·Cin·Kh·Kw·Hout·Wout of them) + the bias adds;
/// bytes = x + offset + w (+ bias) read, y written. Gradients: `deform_conv2d_backward` with `wrt` =
/// `input`, `offset`, `weight`; dbias = `sum`(dy) over N, H, W.
public struct DeformConv2D: Operator {
    public init() {}
    public var mnemonic: String { "deform_conv2d" }
    public var arity: ClosedRange<Int> { 3...4 }
    public var fusionKind: FusionKind { .outputFusable }

    func geometry(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> DeformableGeometry {
        try checkArity(inputs)
        for index in 0..<3 { _ = try requireImage(inputs, index) }
        let geometry = try DeformableGeometry.read(inputs, attributes, op: self)
        if inputs.count == 4 {
            let outputs = geometry.convolution.outputChannels
            guard inputs[3].dtype == .float32, inputs[3].shape == [outputs] else {
                throw ShapeError("input 3 is \(inputs[3]); expected f32[\(outputs)], one bias per output channel")
            }
        }
        return geometry
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        TensorType(.float32, try geometry(inputs, attributes).convolution.outputShape)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let geometry = try! geometry(signature.inputs, signature.attributes)
        let x = inputs[0].values, w = inputs[2].values
        var y = [Double](repeating: 0, count: signature.output.shape.elementCount)
        geometry.forEachTerm(offsets: inputs[1].values) { term in
            let sample = geometry.corners(row: term.row, column: term.column).reduce(0) {
                $0 + $1.weight * x[term.inputPlane + $1.offset]
            }
            y[term.output] += w[term.weight] * sample
        }
        if inputs.count == 4 {
            let g = geometry.convolution
            for index in y.indices { y[index] += inputs[3].values[index / g.outputPlane % g.outputChannels] }
        }
        return ReferenceTensor(signature.output, y)
    }

    public func scratchBytes(_ signature: OperatorSignature) -> Int {
        (try! geometry(signature.inputs, signature.attributes)).columnBytes
    }

    public func emitC(_ kernel: inout KernelContext) {
        let geometry = try! geometry(kernel.signature.inputs, kernel.signature.attributes)
        let g = geometry.convolution, outputGroup = g.outputChannelsPerGroup
        let x = kernel.inputs[0], offset = kernel.inputs[1], w = kernel.inputs[2], y = kernel.output
        kernel.writer.line("float *column = (float *)\(kernel.scratch);")
        kernel.writer.loop("n", count: g.batch) { image in
            image.loop("g", count: g.groups) { group in
                geometry.writeEntryLoops(&group, x: x, offset: offset) { entry in
                    geometry.writeCorners(&entry)
                    geometry.writeSample(&entry)
                    entry.line("column[entry] = value;")
                }
                group.line(CExpression.gemm(
                    m: outputGroup, n: g.outputPlane, k: g.patchSize, a: "\(w) + g*\(outputGroup * g.patchSize)",
                    lda: g.patchSize, b: "column", ldb: g.outputPlane,
                    c: "\(y) + (n*\(g.outputChannels) + g*\(outputGroup))*\(g.outputPlane)", ldc: g.outputPlane))
            }
        }
        if kernel.inputs.count == 4 {
            ConvolutionGeometry.writeBiasAdd(
                &kernel.writer, bias: kernel.inputs[3], output: y, batch: g.batch, channels: g.outputChannels,
                plane: g.outputPlane)
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        let g = (try! geometry(signature.inputs, signature.attributes)).convolution
        let samples = g.batch * g.groups * g.patchSize * g.outputPlane
        let biasAdds = signature.inputs.count == 4 ? g.outputShape.elementCount : 0
        return .multiplyAccumulate(signature, macs: g.macs, otherFlops: 7 * samples + biasAdds)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let node = context.node
        let convolution = try context.checked { () throws(ShapeError) in try ConvolutionAttributes(node.attributes, for: self) }
        let operands = [context.input(0), context.input(1), context.input(2), context.outputGradient]
        var result: [NodeID?] = []
        for wrt in ["input", "offset", "weight"] {
            var attributes = convolution.attributes
            attributes["wrt"] = .string(wrt)
            result.append(try context.add("deform_conv2d_backward", operands, attributes: attributes))
        }
        if node.inputs.count == 4 {
            result.append(try context.add(
                "sum", [context.outputGradient], attributes: ["axes": .ints([0, 2, 3]), "keepdims": .bool(false)]))
        }
        return result
    }

    /// Test cases shared with the backward operator: x, offset, w (and bias) with their domains.
    static var shapes: [(String, [TensorType], Attributes)] {
        [
            ("3x3-padded-bias", [.f32(1, 2, 4, 4), .f32(1, 18, 4, 4), .f32(3, 2, 3, 3), .f32(3)], ["padding": .ints([1])]),
            ("stride-dilation", [.f32(2, 1, 6, 5), .f32(2, 18, 2, 2), .f32(2, 1, 3, 3)],
             ["stride": .ints([2]), "dilation": .ints([2]), "padding": .ints([1])]),
            ("groups-offset-groups-nonsquare", [.f32(1, 4, 4, 4), .f32(1, 24, 3, 2), .f32(4, 2, 2, 3)],
             ["groups": .int(2), "padding": .ints([0, 0, 0, 0])]),
            ("asymmetric-padding", [.f32(1, 2, 3, 4), .f32(1, 8, 4, 4), .f32(1, 2, 2, 2)], ["padding": .ints([1, 0, 1, 1])]),
        ]
    }

    public var testCases: [OperatorTestCase] {
        Self.shapes.map { label, inputs, attributes in
            OperatorTestCase(label, inputs: inputs, attributes: attributes, domains: [-2...2, -1.5...1.5, -2...2, -2...2])
        }
    }
}
