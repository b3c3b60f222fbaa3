import KilnIR

/// Global max pooling: the largest element of each NCHW plane, kept as [N, C, 1, 1].
///
/// Input x [N, C, H, W]; output [N, C, 1, 1]. C: one pass per plane with a branch-free select. Cost: H·W
/// comparisons per plane; bytes = x read, y written. Gradient: `max_pool2d_backward` with one
/// H×W window (the argmax takes it all; ties go to the first element in row-major order).
public struct GlobalMaxPool: Operator {
    public init() {}
    public var mnemonic: String { "global_max_pool" }
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .reduction }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try globalPoolType(inputs)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let shape = inputs[0].shape, plane = shape[2] * shape[3]
        let maxima = (0..<shape[0] * shape[1]).map { index in inputs[0].values[index * plane..<(index + 1) * plane].max()! }
        return ReferenceTensor(signature.output, maxima)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let shape = kernel.signature.inputs[0].shape, plane = shape[2] * shape[3]
        let x = kernel.inputs[0], y = kernel.output
        kernel.writer.loop("p", count: shape[0] * shape[1]) { body in
            body.line("const float *source = \(x) + p*\(plane);")
            body.line("float m = source[0];")
            body.block("for (long i = 1; i < \(plane); i++)") { $0.selectLarger("source[i]", into: "m") }
            body.line("\(y)[p] = m;")
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        .streaming(signature, flopsPerElement: signature.inputs[0].shape.elementCount / max(1, signature.output.shape.elementCount))
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let shape = context.type(of: context.input(0)).shape
        return [try context.add(
            "max_pool2d_backward", [context.input(0), context.outputGradient], attributes: ["kernel_size": .ints([shape[2], shape[3]])])]
    }

    public var testCases: [OperatorTestCase] {
        [
            OperatorTestCase("planes", inputs: [.f32(2, 3, 4, 5)]),
            OperatorTestCase("size-1", inputs: [.f32(1, 1, 1, 1)]),
        ]
    }
}
