import KilnC
import KilnIR

/// Global average pooling: the mean of each NCHW plane, `y[n, c, 0, 0] = Σ_{h,w} x[n, c, h, w] / (H·W)`.
/// The squeeze of squeeze-and-excitation and the head of most classifiers.
///
/// Input x [N, C, H, W]; output [N, C, 1, 1] (the dimensions are kept). C: one pass per plane
/// with four accumulators. Cost: H·W adds and one division per plane; bytes = x read, y written.
/// Gradient: dy·1/(H·W), broadcast over the plane (`mul` with a [1, 1, H, W] constant).
public struct GlobalAvgPool: Operator {
    public init() {}
    public var mnemonic: String { "global_avg_pool" }
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .reduction }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try globalPoolType(inputs)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let shape = inputs[0].shape, plane = shape[2] * shape[3]
        let means = (0..<shape[0] * shape[1]).map { index in
            inputs[0].values[index * plane..<(index + 1) * plane].reduce(0, +) / Double(plane)
        }
        return ReferenceTensor(signature.output, means)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let shape = kernel.signature.inputs[0].shape, plane = shape[2] * shape[3]
        let x = kernel.inputs[0], y = kernel.output
        kernel.writer.loop("p", count: shape[0] * shape[1]) { body in
            body.line("const float *source = \(x) + p*\(plane);")
            body.line("float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f;")
            body.line("long i = 0;")
            body.block("for (; i + 3 < \(plane); i += 4)") {
                $0.line("a0 += source[i]; a1 += source[i + 1]; a2 += source[i + 2]; a3 += source[i + 3];")
            }
            body.block("for (; i < \(plane); i++)") { $0.line("a0 += source[i];") }
            body.line("\(y)[p] = ((a0 + a1) + (a2 + a3)) / \(CLiteral.float(Double(plane)));")
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        .streaming(signature, flopsPerElement: signature.inputs[0].shape.elementCount / max(1, signature.output.shape.elementCount))
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let shape = context.type(of: context.input(0)).shape
        let scale = context.builder.leaf(
            Node.constantOp, type: .f32(1, 1, shape[2], shape[3]), name: "\(context.node.name).grad.const",
            attributes: ["value": .floats([1 / Double(shape[2] * shape[3])])], provenance: context.node.provenance)
        return [try context.add("mul", [context.outputGradient, scale])]
    }

    public var testCases: [OperatorTestCase] {
        [
            OperatorTestCase("planes", inputs: [.f32(2, 3, 4, 5)]),
            OperatorTestCase("odd-plane", inputs: [.f32(1, 2, 3, 3)]),
            OperatorTestCase("size-1", inputs: [.f32(1, 1, 1, 1)]),
        ]
    }
}

extension Operator {
    /// The [N, C, 1, 1] type of a global pooling of the NCHW input 0, whose planes must not be empty.
    func globalPoolType(_ inputs: [TensorType]) throws(ShapeError) -> TensorType {
        try checkArity(inputs)
        let x = try requireImage(inputs, 0)
        guard x[2] >= 1 && x[3] >= 1 else { throw ShapeError("input 0 has shape \(x); expected planes of at least one element") }
        return .f32(x[0], x[1], 1, 1)
    }
}
