import Foundation
import KilnIR

/// SoftPool: the softmax-weighted sum of each window, `y = Σ_i x_i·e^(x_i) / Σ_j e^(x_j)`
/// (seed catalog §1.2: exponentiate each value into a weight, weight the values, sum). Unlike
/// max pooling it is differentiable everywhere and every input gets a gradient.
///
/// Input x [N, C, H, W]. Attributes: `kernel_size` [kh, kw], `stride` (default: the kernel size).
/// No padding. Output [N, C, Hout, Wout]. C: one pass per window with an online maximum, so the
/// exponentials never overflow. Cost: about six FLOPs per element read by a window; bytes = x
/// read, y written. Gradient: ∂y/∂x_i = w_i·(1 + x_i − y) with w = softmax over the window, so
/// dx = e^x ⊙ ((1 + x) ⊙ T(dy/S) − T(dy·y/S)) with S = Σ-pool(e^x) and T its transpose, built from
/// `exp`, `avg_pool2d` / `avg_pool2d_backward` with `divisor_override` 1 and elementwise
/// operators (this form overflows for inputs above about 88).
public struct SoftPool2D: Operator {
    public init() {}
    public var mnemonic: String { "soft_pool2d" }
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
            let largest = values.max()!
            let weights = values.map { Foundation.exp($0 - largest) }
            y.append(zip(weights, values).reduce(0) { $0 + $1.0 * $1.1 } / weights.reduce(0, +))
        }
        return ReferenceTensor(signature.output, y)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let pooling = try! window(kernel.signature.inputs, kernel.signature.attributes)
        let y = kernel.output
        pooling.writeWindowLoops(
            &kernel.writer, input: kernel.inputs[0],
            begin: { $0.line("float m = -KILN_INFINITY, s = 0.0f, t = 0.0f;") },
            each: { tap in
                tap.line("float larger = m;")
                tap.selectLarger("v", into: "larger")
                tap.line("float decay = kiln_exp(m - larger), weight = kiln_exp(v - larger);")
                tap.line("s = s*decay + weight;")
                tap.line("t = t*decay + weight*v;")
                tap.line("m = larger;")
            },
            end: { $0.line("\(y)[plane*\(pooling.outputPlane) + o] = t / s;") })
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        let pooling = try! window(signature.inputs, signature.attributes)
        return OperatorCost(
            flops: 6 * pooling.tapCount + pooling.outputShape.elementCount, bytesRead: signature.inputs[0].byteCount,
            bytesWritten: signature.output.byteCount)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let x = context.input(0), y = context.node.id
        let exponential = try context.add("exp", [x])
        let total = try context.windowSum(exponential)
        let scaled = try context.add("div", [context.outputGradient, total])
        let spread = try context.windowSumTranspose(scaled)
        let spreadOutput = try context.windowSumTranspose(try context.add("mul", [scaled, y]))
        let onePlusX = try context.add("add", [x, context.scalar(1)])
        let difference = try context.add("sub", [try context.add("mul", [onePlusX, spread]), spreadOutput])
        return [try context.add("mul", [exponential, difference])]
    }

    public var testCases: [OperatorTestCase] {
        [
            OperatorTestCase("2x2", inputs: [.f32(1, 2, 4, 4)], attributes: ["kernel_size": .ints([2])]),
            OperatorTestCase(
                "overlapping-nonsquare", inputs: [.f32(2, 1, 5, 4)],
                attributes: ["kernel_size": .ints([3, 2]), "stride": .ints([1])], domain: -4...4),
            OperatorTestCase("strided", inputs: [.f32(1, 2, 5, 5)], attributes: ["kernel_size": .ints([2]), "stride": .ints([3, 2])]),
            OperatorTestCase("size-1", inputs: [.f32(1, 1, 1, 1)], attributes: ["kernel_size": .ints([1])]),
        ]
    }
}
