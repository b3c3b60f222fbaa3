import KilnIR

/// The gradient of `upsample_bilinear2d`: each output gradient is added to the four input
/// elements it interpolated, times their weights.
///
/// Input dy [N, C, Ho, Wo]. Attributes: those of the `upsample_bilinear2d` it differentiates
/// (`size` or `scale`, `align_corners`) plus `input_size` [H, W]. Output [N, C, H, W]. C: zero,
/// then one scatter pass through the tables. Cost: eight FLOPs per dy element; bytes = dy read,
/// dx written. Gradient (it is linear): `upsample_bilinear2d`(g).
public struct UpsampleBilinear2DBackward: Operator {
    public init() {}
    public var mnemonic: String { "upsample_bilinear2d_backward" }
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .opaque }

    func upsampling(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> Upsampling {
        try checkArity(inputs)
        _ = try requireImage(inputs, 0)
        return try Upsampling.readBackward(inputs, attributes, op: self)
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        TensorType(.float32, try upsampling(inputs, attributes).inputShape)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let u = try! upsampling(signature.inputs, signature.attributes)
        let taps = UpsampleBilinear2D.taps(u, alignCorners: signature.attributes.bool("align_corners", default: false))
        var dx = [Double](repeating: 0, count: signature.output.shape.elementCount)
        for plane in 0..<u.planes {
            for (output, outputTaps) in taps.enumerated() {
                let gradient = inputs[0].values[plane * u.outputPlane + output]
                for tap in outputTaps { dx[plane * u.inputPlane + tap.offset] += tap.weight * gradient }
            }
        }
        return ReferenceTensor(signature.output, dx)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let u = try! upsampling(kernel.signature.inputs, kernel.signature.attributes)
        let dy = kernel.inputs[0], dx = kernel.output
        kernel.writer.line("memset(\(dx), 0, \(kernel.signature.output.byteCount));")
        UpsampleBilinear2D.writeLoops(&kernel.writer, u, alignCorners: kernel.attributes.bool("align_corners", default: false)) { body in
            body.line("float *target = \(dx) + plane*\(u.inputPlane);")
            body.line("float g = \(dy)[plane*\(u.outputPlane) + o];")
            body.line("float upper = g*(1.0f - down), lower = g*down;")
            body.line("target[top + left] += upper*(1.0f - across);")
            body.line("target[top + right] += upper*across;")
            body.line("target[bottom + left] += lower*(1.0f - across);")
            body.line("target[bottom + right] += lower*across;")
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        OperatorCost(
            flops: 8 * signature.inputs[0].shape.elementCount, bytesRead: signature.inputs[0].byteCount,
            bytesWritten: signature.output.byteCount)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        var attributes = context.node.attributes
        attributes["input_size"] = nil
        return [try context.add("upsample_bilinear2d", [context.outputGradient], attributes: attributes)]
    }

    public var testCases: [OperatorTestCase] {
        UpsampleBilinear2D.testShapes.map { label, shape, attributes in
            let output = try! UpsampleBilinear2D().inferType([TensorType(.float32, shape)], attributes)
            var backward = attributes
            backward["input_size"] = .ints([shape[2], shape[3]])
            return OperatorTestCase(label, inputs: [output], attributes: backward)
        }
    }
}
