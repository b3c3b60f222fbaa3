import KilnIR

/// The gradient of `max_unpool2d` with respect to its values: a gather,
/// `dvalues[n, c, i, j] = dy[n, c, indices[n, c, i, j]]` (0 for an index outside the plane).
///
/// Inputs: dy [N, C, H, W], indices i64 [N, C, h, w]. Output [N, C, h, w]. C: one gather pass
/// with a bounds test. Cost: no FLOPs; bytes = dy + indices read, the output written.
/// Gradient (it is linear in dy): `max_unpool2d`(g, indices) to [H, W]; none to the indices.
public struct MaxUnpool2DBackward: Operator {
    public init() {}
    public var mnemonic: String { "max_unpool2d_backward" }
    public var arity: ClosedRange<Int> { 2...2 }
    public var fusionKind: FusionKind { .injective }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try checkArity(inputs)
        let dy = try requireImage(inputs, 0)
        let indices = inputs[1].shape
        guard inputs[1].dtype == .int64, indices.rank == 4, indices[0] == dy[0], indices[1] == dy[1] else {
            throw ShapeError("input 1 is \(inputs[1]); expected i64[\(dy[0]),\(dy[1]),h,w], indices into the planes of input 0 of shape \(dy)")
        }
        return TensorType(.float32, indices)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let dy = inputs[0].shape, plane = dy[2] * dy[3]
        let output = signature.output.shape, outputPlane = output[2] * output[3]
        let values = inputs[1].values.enumerated().map { element, position -> Double in
            guard let index = ReferenceTensor.index(position) else { return 0 }
            return (0..<plane).contains(index) ? inputs[0].values[element / outputPlane * plane + index] : 0
        }
        return ReferenceTensor(signature.output, values)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let dy = kernel.signature.inputs[0].shape, plane = dy[2] * dy[3]
        let output = kernel.signature.output.shape, outputPlane = output[2] * output[3]
        let gradient = kernel.inputs[0], indices = kernel.inputs[1], y = kernel.output
        kernel.writer.loop("p", count: output[0] * output[1]) { planeLoop in
            planeLoop.loop("i", count: outputPlane) { body in
                body.line("int64_t index = \(indices)[p*\(outputPlane) + i];")
                body.line("int inside = index >= 0 && index < \(plane);")
                body.line("\(y)[p*\(outputPlane) + i] = inside ? \(gradient)[p*\(plane) + (inside ? index : 0)] : 0.0f;")
            }
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost { .streaming(signature, flopsPerElement: 0) }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let dy = context.type(of: context.input(0)).shape
        return [
            try context.add(
                "max_unpool2d", [context.outputGradient, context.input(1)], attributes: ["output_size": .ints([dy[2], dy[3]])]),
            nil,
        ]
    }

    public var testCases: [OperatorTestCase] {
        [
            OperatorTestCase("2x2-positions", inputs: [.f32(1, 2, 4, 6), .i64(1, 2, 2, 3)], domains: [-2...2, 0...23.5]),
            OperatorTestCase(
                "repeated-and-out-of-range", inputs: [.f32(2, 1, 2, 3), .i64(2, 1, 3, 3)], domains: [-2...2, -2...8.5]),
            OperatorTestCase("size-1", inputs: [.f32(1, 1, 1, 1), .i64(1, 1, 1, 1)], domains: [-2...2, 0...0.5]),
        ]
    }
}
