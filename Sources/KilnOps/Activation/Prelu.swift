import Foundation
import KilnIR

/// Parametric ReLU: x for x > 0, a·x otherwise, with a learnable slope `a` (input 1).
///
/// The slope broadcasts to x's shape (ONNX `PRelu`): shared as `[]` or `[1]`, per channel of an
/// NCHW tensor as `[C,1,1]`. Derivatives: ∂y/∂x = 1 or a; ∂y/∂a = min(x, 0), summed over the
/// axes the slope was broadcast along. Kinked at x = 0.
///
/// A primitive: one broadcasting elementwise formula, branch-free in C.
public struct Prelu: ElementwiseFormula {
    public init() {}
    public var mnemonic: String { "prelu" }
    public var arity: ClosedRange<Int> { 2...2 }
    public var fusionKind: FusionKind { .broadcast }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try checkArity(inputs)
        for (index, input) in inputs.enumerated() where input.dtype != .float32 {
            throw ShapeError("input \(index) is \(input); expected f32")
        }
        guard Shape.broadcast(inputs[0].shape, inputs[1].shape) == inputs[0].shape else {
            throw ShapeError(
                "input 1 of shape \(inputs[1].shape) does not broadcast to input 0's shape \(inputs[0].shape); "
                    + "expected a shared slope ([] or [1]) or one per channel (such as [C,1,1] for NCHW)")
        }
        return inputs[0]
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        broadcastEvaluate(inputs, signature) { $0[0] > 0 ? $0[0] : $0[1] * $0[0] }
    }

    public func emitC(_ kernel: inout KernelContext) {
        let attributes = kernel.attributes
        emitBroadcastLoop(&kernel) { cFormula($0, attributes) }
    }

    public func cFormula(_ operands: [String], _ attributes: Attributes) -> String {
        "(\(operands[0]) * ((\(operands[0]) > 0.0f) + \(operands[1]) * (\(operands[0]) <= 0.0f)))"
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost { .streaming(signature, flopsPerElement: 3) }

    /// ∂x: the output gradient where x > 0, times a elsewhere. ∂a: the output gradient times
    /// min(x, 0), unbroadcast to a's shape.
    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let x = context.input(0), slope = context.input(1), gradient = context.outputGradient
        let positive = try context.add("greater", [x, context.scalar(0)])
        let slopeOrOne = try context.add("where", [positive, context.scalar(1), slope])
        let gradientX = try context.add("mul", [gradient, slopeOrOne])
        let negativePart = try context.add("minimum", [x, context.scalar(0)])
        let gradientSlope = try context.add("mul", [gradient, negativePart])
        return [gradientX, try context.unbroadcast(gradientSlope, to: context.type(of: slope).shape)]
    }

    public var testCases: [OperatorTestCase] {
        let domains: [ClosedRange<Double>] = [-2...2, 0.05...0.5]
        return [
            OperatorTestCase("per-channel", inputs: [.f32(2, 3, 4, 4), .f32(3, 1, 1)], domains: domains),
            OperatorTestCase("shared", inputs: [.f32(2, 3), .f32(1)], domains: domains),
            OperatorTestCase("scalar-slope", inputs: [.f32(2, 3, 4), .f32()], domains: domains),
            OperatorTestCase("elementwise", inputs: [.f32(2, 3), .f32(2, 3)], domains: domains),
            OperatorTestCase("scalar", inputs: [.f32(), .f32()], domains: domains),
            OperatorTestCase("size-1", inputs: [.f32(1, 1), .f32(1, 1)], domains: domains),
        ]
    }
}
