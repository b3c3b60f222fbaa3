import Foundation
import KilnIR

/// Elementwise quotient with broadcasting.
public struct Div: BinaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "div" }
    public func apply(_ a: Double, _ b: Double) -> Double { a / b }
    public func cExpression(_ a: String, _ b: String) -> String { "(\(a) / \(b))" }
    public var testDomains: [ClosedRange<Double>] { [-2...2, 0.5...2] }
    /// ∂/∂a = g/b, ∂/∂b = −g·a/b² = −g·y/b, each summed over the axes its operand was broadcast along.
    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let a = context.input(0), b = context.input(1), gradient = context.outputGradient
        let gradientA = try context.add("div", [gradient, b])
        let scaled = try context.add("div", [try context.add("mul", [gradient, context.node.id]), b])
        let gradientB = try context.add("neg", [scaled])
        return [
            try context.unbroadcast(gradientA, to: context.type(of: a).shape),
            try context.unbroadcast(gradientB, to: context.type(of: b).shape),
        ]
    }
}
