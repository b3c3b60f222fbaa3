import Foundation
import KilnIR

/// Elementwise product with broadcasting.
public struct Mul: BinaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "mul" }
    public func apply(_ a: Double, _ b: Double) -> Double { a * b }
    public func cExpression(_ a: String, _ b: String) -> String { "(\(a) * \(b))" }
    /// ∂/∂a = g·b, ∂/∂b = g·a, each summed over the axes its operand was broadcast along.
    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let a = context.input(0), b = context.input(1), gradient = context.outputGradient
        let gradientA = try context.add("mul", [gradient, b])
        let gradientB = try context.add("mul", [gradient, a])
        return [
            try context.unbroadcast(gradientA, to: context.type(of: a).shape),
            try context.unbroadcast(gradientB, to: context.type(of: b).shape),
        ]
    }
}
