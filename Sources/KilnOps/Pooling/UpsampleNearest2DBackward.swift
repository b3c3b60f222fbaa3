import KilnIR

/// The gradient of `upsample_nearest2d`: each output gradient is added to the input element it
/// was copied from.
///
/// Input dy [N, C, Ho, Wo]. Attributes: those of the `upsample_nearest2d` it differentiates
/// (`size` or `scale`) plus `input_size` [H, W]. Output [N, C, H, W]. C: zero, then one
/// scatter-add pass through the index tables. Cost: one add per dy element; bytes = dy read, dx
/// written. Gradient (it is linear): `upsample_nearest2d`(g).
public struct UpsampleNearest2DBackward: Operator {
    public init() {}
    public var mnemonic: String { "upsample_nearest2d_backward" }
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
        let sources = UpsampleNearest2D.sources(u)
        var dx = [Double](repeating: 0, count: signature.output.shape.elementCount)
        for plane in 0..<u.planes {
            for (output, source) in sources.enumerated() {
                dx[plane * u.inputPlane + source] += inputs[0].values[plane * u.outputPlane + output]
            }
        }
        return ReferenceTensor(signature.output, dx)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let u = try! upsampling(kernel.signature.inputs, kernel.signature.attributes)
        let dy = kernel.inputs[0], dx = kernel.output
        kernel.writer.line("memset(\(dx), 0, \(kernel.signature.output.byteCount));")
        UpsampleNearest2D.writeLoops(&kernel.writer, u) {
            $0.line("\(dx)[plane*\(u.inputPlane) + i] += \(dy)[plane*\(u.outputPlane) + o];")
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        OperatorCost(
            flops: signature.inputs[0].shape.elementCount, bytesRead: signature.inputs[0].byteCount,
            bytesWritten: signature.output.byteCount)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        var attributes = context.node.attributes
        attributes["input_size"] = nil
        return [try context.add("upsample_nearest2d", [context.outputGradient], attributes: attributes)]
    }

    public var testCases: [OperatorTestCase] {
        UpsampleNearest2D.resamplingTestCases.map { label, shape, attributes in
            let output = try! UpsampleNearest2D().inferType([TensorType(.float32, shape)], attributes)
            var backward = attributes
            backward["input_size"] = .ints([shape[2], shape[3]])
            return OperatorTestCase(label, inputs: [output], attributes: backward)
        }
    }
}
