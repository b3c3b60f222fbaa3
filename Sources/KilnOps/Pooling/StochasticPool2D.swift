import KilnIR

/// Stochastic pooling, inference rule: the probability-weighted average of each window,
/// `y = Σ p_i·x_i` with `p_i = x_i / Σ_j x_j`, i.e. `y = Σx² / Σx` (0 where Σx = 0). Meant for
/// non-negative inputs (after a ReLU).
///
/// In training, stochastic pooling samples one element of each window with probabilities p
/// (seed catalog §1.2); that needs the train/eval mode and the in-graph RNG that come with the
/// dropout work, so this operator is the rule used at inference.
///
/// Input x [N, C, H, W]. Attributes: `kernel_size` [kh, kw], `stride` (default: the kernel size).
/// No padding. Output [N, C, Hout, Wout]. C: one pass per window for Σx and Σx². Cost: three
/// FLOPs per element read by a window plus one per output; bytes = x read, y written.
/// Gradient: ∂y/∂x_i = (2x_i − y)/Σx per window, so dx = 2x ⊙ T(dy/S) − T(dy·y/S) with
/// S = Σ-pool(x) and T its transpose (`avg_pool2d` / `avg_pool2d_backward` with `divisor_override` 1).
public struct StochasticPool2D: Operator {
    public init() {}
    public var mnemonic: String { "stochastic_pool2d" }
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .outputFusable }

    func window(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> PoolingWindow {
        try checkArity(inputs)
        let x = try requireImage(inputs, 0)
        return try PoolingWindow.read(x, attributes, features: [], op: self, label: "input 0 of shape \(x)")
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        TensorType(.float32, try window(inputs, attributes).outputShape)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let pooling = try! window(signature.inputs, signature.attributes)
        let x = inputs[0].values
        var y: [Double] = []
        pooling.forEachWindow { plane, _, _, window in
            let values = window.map { x[plane * pooling.inputPlane + $0] }
            let total = values.reduce(0, +)
            y.append(total == 0 ? 0 : values.reduce(0) { $0 + $1 * $1 } / total)
        }
        return ReferenceTensor(signature.output, y)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let pooling = try! window(kernel.signature.inputs, kernel.signature.attributes)
        let y = kernel.output
        pooling.writeWindowLoops(
            &kernel.writer, input: kernel.inputs[0],
            begin: { $0.line("float s = 0.0f, q = 0.0f;") },
            each: { $0.line("s += v;"); $0.line("q += v*v;") },
            end: { $0.line("\(y)[plane*\(pooling.outputPlane) + o] = s != 0.0f ? q / s : 0.0f;") })
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        let pooling = try! window(signature.inputs, signature.attributes)
        return OperatorCost(
            flops: 3 * pooling.tapCount + pooling.outputShape.elementCount, bytesRead: signature.inputs[0].byteCount,
            bytesWritten: signature.output.byteCount)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let x = context.input(0), y = context.node.id
        let total = try context.windowSum(x)
        let scaled = try context.add("div", [context.outputGradient, total])
        let spread = try context.windowSumTranspose(scaled)
        let spreadOutput = try context.windowSumTranspose(try context.add("mul", [scaled, y]))
        let twiceX = try context.add("mul", [x, context.scalar(2)])
        return [try context.add("sub", [try context.add("mul", [twiceX, spread]), spreadOutput])]
    }

    public var testCases: [OperatorTestCase] {
        [
            OperatorTestCase("2x2", inputs: [.f32(1, 2, 4, 4)], attributes: ["kernel_size": .ints([2])], domain: 0.1...2),
            OperatorTestCase(
                "overlapping-nonsquare", inputs: [.f32(2, 1, 5, 4)],
                attributes: ["kernel_size": .ints([3, 2]), "stride": .ints([1])], domain: 0.1...2),
            OperatorTestCase("size-1", inputs: [.f32(1, 1, 1, 1)], attributes: ["kernel_size": .ints([1])], domain: 0.1...2),
        ]
    }
}
