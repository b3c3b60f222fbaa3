import Foundation
import KilnC
import KilnIR

/// Power-average (Lp) pooling: `y = (Σ_window x^p)^(1/p)`. p = 1 is sum pooling; p → ∞ tends to
/// max pooling. Defined here for x > 0 (a real power of a negative number is undefined).
///
/// Input x [N, C, H, W]. Attributes: `kernel_size` [kh, kw], `stride` (default: the kernel size),
/// `p` (a positive float, default 2). No padding. Output [N, C, Hout, Wout].
/// C: one pass per window with `kiln_pow`. Cost: two FLOPs per element read by a window (power,
/// add) plus one per output; bytes = x read, y written.
/// Gradient: ∂y/∂x_i = x_i^(p−1)·y^(1−p) per window, so dx = x^(p−1) ⊙ Σ-pool-transpose(dy ⊙ y^(1−p)),
/// built from `pow`, `mul` and `avg_pool2d_backward` with `divisor_override` 1.
public struct LpPool2D: Operator {
    public init() {}
    public var mnemonic: String { "lp_pool2d" }
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .outputFusable }

    func window(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> (PoolingWindow, Double) {
        try checkArity(inputs)
        let x = try requireImage(inputs, 0)
        let p = try float(attributes, "p", default: 2)
        guard p > 0 && p.isFinite else { throw ShapeError("attribute 'p' must be a positive number, got \(p)") }
        return (try PoolingWindow.read(x, attributes, features: [], op: self, label: "input 0 of shape \(x)"), p)
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        TensorType(.float32, try window(inputs, attributes).0.outputShape)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let (pooling, p) = try! window(signature.inputs, signature.attributes)
        let x = inputs[0].values
        var y: [Double] = []
        pooling.forEachWindow { plane, _, _, window in
            let base = plane * pooling.inputPlane
            y.append(Foundation.pow(window.reduce(0) { $0 + Foundation.pow(x[base + $1], p) }, 1 / p))
        }
        return ReferenceTensor(signature.output, y)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let (pooling, p) = try! window(kernel.signature.inputs, kernel.signature.attributes)
        let y = kernel.output
        pooling.writeWindowLoops(
            &kernel.writer, input: kernel.inputs[0],
            begin: { $0.line("float s = 0.0f;") },
            each: { $0.line("s += kiln_pow(v, \(CLiteral.float(p)));") },
            end: { $0.line("\(y)[plane*\(pooling.outputPlane) + o] = kiln_pow(s, \(CLiteral.float(1 / p)));") })
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        let pooling = try! window(signature.inputs, signature.attributes).0
        return OperatorCost(
            flops: 2 * pooling.tapCount + pooling.outputShape.elementCount, bytesRead: signature.inputs[0].byteCount,
            bytesWritten: signature.output.byteCount)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let p = context.node.attributes.float("p", default: 2)
        let x = context.input(0), y = context.node.id
        let outputFactor = try context.add("pow", [y, context.scalar(1 - p)])
        let weighted = try context.add("mul", [context.outputGradient, outputFactor])
        let spread = try context.windowSumTranspose(weighted)
        let inputFactor = try context.add("pow", [x, context.scalar(p - 1)])
        return [try context.add("mul", [inputFactor, spread])]
    }

    public var testCases: [OperatorTestCase] {
        [
            OperatorTestCase("p2", inputs: [.f32(1, 2, 4, 4)], attributes: ["kernel_size": .ints([2])], domain: 0.2...2),
            OperatorTestCase(
                "p3-overlapping", inputs: [.f32(2, 1, 5, 4)],
                attributes: ["kernel_size": .ints([3, 2]), "stride": .ints([1]), "p": .float(3)], domain: 0.2...2),
            OperatorTestCase(
                "p1.5-strided", inputs: [.f32(1, 2, 5, 5)],
                attributes: ["kernel_size": .ints([2]), "stride": .ints([3, 2]), "p": .float(1.5)], domain: 0.2...2),
            OperatorTestCase("size-1", inputs: [.f32(1, 1, 1, 1)], attributes: ["kernel_size": .ints([1])], domain: 0.2...2),
        ]
    }
}
