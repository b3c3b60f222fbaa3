import KilnIR

/// Max unpooling: puts each value back at the position its max pooling took it from, zeros
/// elsewhere (seed catalog §1.2): `y[n, c, indices[n, c, i, j]] += values[n, c, i, j]`, where an
/// index is an in-plane offset `h·W + w` as `max_pool2d_indices` produces. Values sharing an
/// index add up (PyTorch keeps one of them; the two agree when windows do not overlap), and an
/// index outside the plane is ignored.
///
/// Inputs: values [N, C, h, w], indices i64 [N, C, h, w]. Attribute `output_size` [H, W].
/// Output [N, C, H, W]. C: zero, then one scatter-add pass with a bounds test. Cost: one add
/// per value; bytes = values + indices read, y written. Gradient: to the values,
/// `max_unpool2d_backward`(dy, indices) (a gather); none to the indices.
public struct MaxUnpool2D: Operator {
    public init() {}
    public var mnemonic: String { "max_unpool2d" }
    public var arity: ClosedRange<Int> { 2...2 }
    public var fusionKind: FusionKind { .opaque }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try checkArity(inputs)
        let values = try requireImage(inputs, 0)
        guard inputs[1] == TensorType(.int64, values) else {
            throw ShapeError("input 1 is \(inputs[1]); expected i64\(values), one index per value of input 0")
        }
        let size = try SpatialPair.read(attributes, "output_size", default: nil, minimum: 1, op: self)
        return .f32(values[0], values[1], size.height, size.width)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let output = signature.output.shape, plane = output[2] * output[3]
        let inputPlane = inputs[0].shape[2] * inputs[0].shape[3]
        var y = [Double](repeating: 0, count: output.elementCount)
        for (element, value) in inputs[0].values.enumerated() {
            if let index = ReferenceTensor.index(inputs[1].values[element]), (0..<plane).contains(index) { y[element / inputPlane * plane + index] += value }
        }
        return ReferenceTensor(signature.output, y)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let output = kernel.signature.output.shape, plane = output[2] * output[3]
        let input = kernel.signature.inputs[0].shape, inputPlane = input[2] * input[3]
        let values = kernel.inputs[0], indices = kernel.inputs[1], y = kernel.output
        kernel.writer.line("memset(\(y), 0, \(kernel.signature.output.byteCount));")
        kernel.writer.loop("p", count: input[0] * input[1]) { planeLoop in
            planeLoop.loop("i", count: inputPlane) { body in
                body.line("int64_t index = \(indices)[p*\(inputPlane) + i];")
                body.line("if (index >= 0 && index < \(plane)) \(y)[p*\(plane) + index] += \(values)[p*\(inputPlane) + i];")
            }
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        OperatorCost(
            flops: signature.inputs[0].shape.elementCount, bytesRead: signature.inputs.reduce(0) { $0 + $1.byteCount },
            bytesWritten: signature.output.byteCount)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        [try context.add("max_unpool2d_backward", [context.outputGradient, context.input(1)]), nil]
    }

    public var testCases: [OperatorTestCase] {
        [
            OperatorTestCase(
                "2x2-positions", inputs: [.f32(1, 2, 2, 3), .i64(1, 2, 2, 3)], attributes: ["output_size": .ints([4, 6])],
                domains: [-2...2, 0...23.5]),
            OperatorTestCase(
                "colliding-and-out-of-range", inputs: [.f32(2, 1, 3, 3), .i64(2, 1, 3, 3)], attributes: ["output_size": .ints([2, 3])],
                domains: [-2...2, -2...8.5]),
            OperatorTestCase("size-1", inputs: [.f32(1, 1, 1, 1), .i64(1, 1, 1, 1)], attributes: ["output_size": .ints([1])], domains: [-2...2, 0...0.5]),
        ]
    }
}
