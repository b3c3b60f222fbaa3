import KilnC
import KilnIR

/// Mixed pooling, inference rule: `y = λ·max(window) + (1 − λ)·mean(window)`.
///
/// In training, mixed pooling draws λ ∈ {0, 1} at random per step (seed catalog §1.2); that
/// needs the train/eval mode and the in-graph RNG that come with the dropout work, so this
/// operator is the fixed-λ rule used at inference.
///
/// Input x [N, C, H, W]. Attributes: `kernel_size` [kh, kw], `stride` (default: the kernel size),
/// `lambda` (in [0, 1], default 0.5). No padding. Output [N, C, Hout, Wout]. C: one pass per
/// window for both the maximum and the sum. Cost: two FLOPs per element read by a window plus
/// three per output; bytes = x read, y written.
/// Gradient: λ·`max_pool2d_backward`(x, dy) + (1 − λ)·`avg_pool2d_backward`(dy).
public struct MixedPool2D: Operator {
    public init() {}
    public var mnemonic: String { "mixed_pool2d" }
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .outputFusable }

    func window(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> (PoolingWindow, Double) {
        try checkArity(inputs)
        let x = try requireImage(inputs, 0)
        let lambda = try float(attributes, "lambda", default: 0.5)
        guard (0...1).contains(lambda) else { throw ShapeError("attribute 'lambda' must be in [0, 1], got \(lambda)") }
        return (try PoolingWindow.read(x, attributes, features: [], op: self, label: "input 0 of shape \(x)"), lambda)
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        TensorType(.float32, try window(inputs, attributes).0.outputShape)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let (pooling, lambda) = try! window(signature.inputs, signature.attributes)
        let x = inputs[0].values
        var y: [Double] = []
        pooling.forEachWindow { plane, _, _, window in
            let values = window.map { x[plane * pooling.inputPlane + $0] }
            y.append(lambda * values.max()! + (1 - lambda) * values.reduce(0, +) / Double(values.count))
        }
        return ReferenceTensor(signature.output, y)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let (pooling, lambda) = try! window(kernel.signature.inputs, kernel.signature.attributes)
        let y = kernel.output, size = pooling.height.kernel * pooling.width.kernel
        pooling.writeWindowLoops(
            &kernel.writer, input: kernel.inputs[0],
            begin: { $0.line("float m = -KILN_INFINITY, s = 0.0f;") },
            each: { $0.selectLarger("v", into: "m"); $0.line("s += v;") },
            end: {
                $0.line("\(y)[plane*\(pooling.outputPlane) + o] = \(CLiteral.float(lambda))*m + \(CLiteral.float(1 - lambda))*(s / \(CLiteral.float(Double(size))));")
            })
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        let pooling = try! window(signature.inputs, signature.attributes).0
        return OperatorCost(
            flops: 2 * pooling.tapCount + 3 * pooling.outputShape.elementCount, bytesRead: signature.inputs[0].byteCount,
            bytesWritten: signature.output.byteCount)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let lambda = context.node.attributes.float("lambda", default: 0.5)
        let x = context.input(0), dy = context.outputGradient, shape = context.type(of: x).shape
        var window: Attributes = [:]
        for name in ["kernel_size", "stride"] { window[name] = context.node.attributes[name] }
        let toMaxima = try context.add("max_pool2d_backward", [x, dy], attributes: window)
        window["input_size"] = .ints([shape[2], shape[3]])
        let toWindows = try context.add("avg_pool2d_backward", [dy], attributes: window)
        return [try context.add(
            "add", [try context.add("mul", [toMaxima, context.scalar(lambda)]), try context.add("mul", [toWindows, context.scalar(1 - lambda)])])]
    }

    public var testCases: [OperatorTestCase] {
        [
            OperatorTestCase("2x2", inputs: [.f32(1, 2, 4, 4)], attributes: ["kernel_size": .ints([2])]),
            OperatorTestCase(
                "overlapping-lambda-0.3", inputs: [.f32(2, 1, 5, 4)],
                attributes: ["kernel_size": .ints([3, 2]), "stride": .ints([1]), "lambda": .float(0.3)]),
            OperatorTestCase("max-only", inputs: [.f32(1, 1, 4, 6)], attributes: ["kernel_size": .ints([2, 3]), "lambda": .float(1)]),
            OperatorTestCase("size-1", inputs: [.f32(1, 1, 1, 1)], attributes: ["kernel_size": .ints([1])]),
        ]
    }
}
