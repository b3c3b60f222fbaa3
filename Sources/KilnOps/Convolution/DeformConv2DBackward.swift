import KilnC
import KilnIR

/// The gradients of `deform_conv2d`, one per node: attribute `wrt` chooses `input` (dx: each
/// term's dy·w spread over the four corners of its sample), `offset` (dΔ: dy·w times the
/// derivative of the sample along the row and the column) or `weight` (dw: the correlation of
/// dy with the samples).
///
/// Inputs: x, offset, w (as for `deform_conv2d`) and dy [N, Cout, Hout, Wout]. Attributes: `wrt`
/// and those of the `deform_conv2d` it differentiates. Output: the type of x, offset or w.
/// C: for `input` and `offset`, `cblas_sgemm` (wᵀ·dy) into an im2col-shaped scratch matrix, then
/// a pass over its entries scattering to the corners or reducing into the offsets; for `weight`,
/// the deformable im2col of x and `cblas_sgemm` (dy·colᵀ) accumulated over images. Cost: the
/// convolution's MACs, FLOPs = 2·MACs + about 10 per sample; bytes = the four inputs read, the
/// gradient written. No gradient rule (second derivatives are not implemented).
public struct DeformConv2DBackward: Operator {
    public init() {}
    public var mnemonic: String { "deform_conv2d_backward" }
    public var arity: ClosedRange<Int> { 4...4 }
    public var fusionKind: FusionKind { .opaque }

    /// What a node differentiates with respect to.
    enum Target: String, CaseIterable {
        case input, offset, weight
        /// The operand of `deform_conv2d` it is the gradient of.
        var operand: Int {
            switch self {
            case .input: 0
            case .offset: 1
            case .weight: 2
            }
        }
    }

    func geometry(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> (DeformableGeometry, Target) {
        try checkArity(inputs)
        for index in 0..<4 { _ = try requireImage(inputs, index) }
        guard let name = attributes.string("wrt"), let target = Target(rawValue: name) else {
            throw ShapeError("attribute 'wrt' must be \"input\", \"offset\" or \"weight\", got \(attributes["wrt"].map(\.description) ?? "nothing")")
        }
        let geometry = try DeformableGeometry.read(Array(inputs.prefix(3)), attributes, op: self)
        guard inputs[3].shape == geometry.convolution.outputShape else {
            throw ShapeError("input 3 has shape \(inputs[3].shape); expected \(geometry.convolution.outputShape), the output of deform_conv2d")
        }
        return (geometry, target)
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        let (_, target) = try geometry(inputs, attributes)
        return inputs[target.operand]
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let (geometry, target) = try! geometry(signature.inputs, signature.attributes)
        let x = inputs[0].values, offsets = inputs[1].values, w = inputs[2].values, dy = inputs[3].values
        let outputPlane = geometry.convolution.outputPlane
        var gradient = [Double](repeating: 0, count: signature.output.shape.elementCount)
        geometry.forEachTerm(offsets: offsets) { term in
            let corners = geometry.corners(row: term.row, column: term.column)
            let scale = dy[term.output] * w[term.weight]
            switch target {
            case .input:
                for corner in corners { gradient[term.inputPlane + corner.offset] += scale * corner.weight }
            case .offset:
                for corner in corners {
                    gradient[term.rowOffsetIndex] += scale * corner.rowSlope * x[term.inputPlane + corner.offset]
                    gradient[term.rowOffsetIndex + outputPlane] += scale * corner.columnSlope * x[term.inputPlane + corner.offset]
                }
            case .weight:
                gradient[term.weight] += dy[term.output] * corners.reduce(0) { $0 + $1.weight * x[term.inputPlane + $1.offset] }
            }
        }
        return ReferenceTensor(signature.output, gradient)
    }

    public func scratchBytes(_ signature: OperatorSignature) -> Int {
        (try! geometry(signature.inputs, signature.attributes)).0.columnBytes
    }

    public func emitC(_ kernel: inout KernelContext) {
        let (geometry, target) = try! geometry(kernel.signature.inputs, kernel.signature.attributes)
        let g = geometry.convolution, outputGroup = g.outputChannelsPerGroup
        let x = kernel.inputs[0], offset = kernel.inputs[1], w = kernel.inputs[2], dy = kernel.inputs[3]
        let result = kernel.output
        let dyGroup = "\(dy) + (n*\(g.outputChannels) + g*\(outputGroup))*\(g.outputPlane)"
        kernel.writer.line("float *column = (float *)\(kernel.scratch);")
        kernel.writer.line("memset(\(result), 0, \(kernel.signature.output.byteCount));")
        switch target {
        case .input: kernel.writer.line("(void)\(x);  /* dx does not depend on x */")
        case .weight: kernel.writer.line("(void)\(w);  /* dw does not depend on w */")
        case .offset: break
        }
        kernel.writer.loop("n", count: g.batch) { image in
            image.loop("g", count: g.groups) { group in
                if target == .weight {
                    geometry.writeEntryLoops(&group, x: x, offset: offset) { entry in
                        geometry.writeCorners(&entry)
                        geometry.writeSample(&entry)
                        entry.line("column[entry] = value;")
                    }
                    group.line(CExpression.gemm(
                        transposeB: true, m: outputGroup, n: g.patchSize, k: g.outputPlane, a: dyGroup, lda: g.outputPlane,
                        b: "column", ldb: g.outputPlane, beta: "1.0f", c: "\(result) + g*\(outputGroup * g.patchSize)",
                        ldc: g.patchSize))
                    return
                }
                group.line(CExpression.gemm(
                    transposeA: true, m: g.patchSize, n: g.outputPlane, k: outputGroup,
                    a: "\(w) + g*\(outputGroup * g.patchSize)", lda: g.patchSize, b: dyGroup, ldb: g.outputPlane,
                    c: "column", ldc: g.outputPlane))
                geometry.writeEntryLoops(&group, x: target == .offset ? x : nil, offset: offset) { entry in
                    geometry.writeCorners(&entry)
                    entry.line("float gradient = column[entry];")
                    if target == .input {
                        entry.line("float *target = \(result) + (n*\(g.inputChannels) + ci)*\(g.inputPlane);")
                        entry.line("float upper = gradient*(1.0f - down), lower = gradient*down;")
                        entry.line("if (v00) target[i00] += upper*(1.0f - across);")
                        entry.line("if (v01) target[i01] += upper*across;")
                        entry.line("if (v10) target[i10] += lower*(1.0f - across);")
                        entry.line("if (v11) target[i11] += lower*across;")
                    } else {
                        entry.line("float x00 = v00 ? plane[i00] : 0.0f, x01 = v01 ? plane[i01] : 0.0f;")
                        entry.line("float x10 = v10 ? plane[i10] : 0.0f, x11 = v11 ? plane[i11] : 0.0f;")
                        entry.line("\(result)[offsetRow] += gradient*((1.0f - across)*(x10 - x00) + across*(x11 - x01));")
                        entry.line("\(result)[offsetRow + \(g.outputPlane)] += gradient*((1.0f - down)*(x01 - x00) + down*(x11 - x10));")
                    }
                }
            }
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        let g = (try! geometry(signature.inputs, signature.attributes)).0.convolution
        let samples = g.batch * g.groups * g.patchSize * g.outputPlane
        return .multiplyAccumulate(signature, macs: g.macs, otherFlops: 10 * samples)
    }

    public var testCases: [OperatorTestCase] {
        DeformConv2D.shapes.flatMap { label, inputs, attributes in
            Target.allCases.map { target in
                let forward = Array(inputs.prefix(3))
                let output = try! DeformConv2D().inferType(forward, attributes)
                var backward = attributes
                backward["wrt"] = .string(target.rawValue)
                return OperatorTestCase(
                    "\(label)-\(target.rawValue)", inputs: forward + [output], attributes: backward,
                    domains: [-2...2, -1.5...1.5, -2...2, -2...2], differentiable: false)
            }
        }
    }
}
