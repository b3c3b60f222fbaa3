import Foundation
import KilnIR

/// Elementwise maximum with broadcasting; NaN if either element is NaN (as ONNX's `Max` and
/// PyTorch's `maximum`). Ties are non-differentiable: tests sample continuous values.
public struct Maximum: BinaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "maximum" }
    public func apply(_ a: Double, _ b: Double) -> Double { a.isNaN || b.isNaN ? .nan : Swift.max(a, b) }
    public func cExpression(_ a: String, _ b: String) -> String { "(\(a) > \(b) || \(a) != \(a) ? \(a) : \(b))" }
    /// The output gradient goes to `a` where a ≥ b (ties go to `a`) and to `b` elsewhere, each
    /// summed over the axes its operand was broadcast along.
    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let a = context.input(0), b = context.input(1), gradient = context.outputGradient
        let mask = try context.add("greater_equal", [a, b])
        let gradientA = try context.add("mul", [gradient, mask])
        let gradientB = try context.add("sub", [gradient, gradientA])
        return [
            try context.unbroadcast(gradientA, to: context.type(of: a).shape),
            try context.unbroadcast(gradientB, to: context.type(of: b).shape),
        ]
    }
}
