import KilnIR

/// The gradient of `adaptive_avg_pool2d`: each output gradient, divided by its window's size, is
/// added to every input element of the window.
///
/// Input dy [N, C, Ho, Wo]. Attribute `input_size` [H, W]. Output [N, C, H, W]. C: one
/// scatter-add pass per window. Cost: one add per window element plus a division per window;
/// bytes = dy read, dx written. Gradient (it is linear): `adaptive_avg_pool2d`(g) to [Ho, Wo].
public struct AdaptiveAvgPool2DBackward: Operator {
    public init() {}
    public var mnemonic: String { "adaptive_avg_pool2d_backward" }
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .opaque }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try checkArity(inputs)
        let dy = try requireImage(inputs, 0)
        let size = try SpatialPair.read(attributes, "input_size", default: nil, minimum: 1, op: self)
        guard dy[2] >= 1 && dy[3] >= 1 else { throw ShapeError("input 0 has shape \(dy); expected planes of at least one element") }
        return .f32(dy[0], dy[1], size.height, size.width)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let input = signature.output.shape, plane = input[2] * input[3]
        var dx = [Double](repeating: 0, count: input.elementCount)
        AdaptiveAvgPool2D.forEachWindow(input: input, output: inputs[0].shape) { index, output, window in
            for offset in window { dx[index * plane + offset] += inputs[0].values[output] / Double(window.count) }
        }
        return ReferenceTensor(signature.output, dx)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let input = kernel.signature.output.shape, output = kernel.signature.inputs[0].shape
        let dy = kernel.inputs[0], dx = kernel.output
        kernel.writer.line("memset(\(dx), 0, \(kernel.signature.output.byteCount));")
        AdaptiveAvgPool2D.writeWindowLoops(
            &kernel.writer, input: input, output: output,
            begin: { $0.line("float share = \(dy)[plane*\(output[2] * output[3]) + o] / count;") },
            each: { $0.line("\(dx)[plane*\(input[2] * input[3]) + index] += share;") },
            end: { _ in })
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        var taps = 0
        AdaptiveAvgPool2D.forEachWindow(input: signature.output.shape, output: signature.inputs[0].shape) { taps += $2.count + 1 }
        return OperatorCost(flops: taps, bytesRead: signature.inputs[0].byteCount, bytesWritten: signature.output.byteCount)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let dy = context.type(of: context.input(0)).shape
        return [try context.add("adaptive_avg_pool2d", [context.outputGradient], attributes: ["output_size": .ints([dy[2], dy[3]])])]
    }

    public var testCases: [OperatorTestCase] {
        AdaptiveAvgPool2D().testCases.map { testCase in
            let input = testCase.inputs[0].shape
            let output = try! AdaptiveAvgPool2D().inferType(testCase.inputs, testCase.attributes)
            return OperatorTestCase(testCase.label, inputs: [output], attributes: ["input_size": .ints([input[2], input[3]])])
        }
    }
}
