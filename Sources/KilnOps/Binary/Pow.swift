import Foundation
import KilnIR

/// Elementwise power aᵇ with broadcasting, for a > 0 (a real power of a negative base is undefined).
public struct Pow: BinaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "pow" }
    public func apply(_ a: Double, _ b: Double) -> Double { Foundation.pow(a, b) }
    public func cExpression(_ a: String, _ b: String) -> String { "kiln_pow(\(a), \(b))" }
    public var testDomains: [ClosedRange<Double>] { [0.2...3, -2...2] }
    /// ∂/∂a = g·b·a^(b−1), ∂/∂b = g·aᵇ·ln a, each summed over the axes its operand was broadcast along.
    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let a = context.input(0), b = context.input(1), gradient = context.outputGradient
        let lowered = try context.add("pow", [a, try context.add("sub", [b, context.scalar(1)])])
        let gradientA = try context.add("mul", [gradient, try context.add("mul", [b, lowered])])
        let logA = try context.add("log", [a])
        let gradientB = try context.add("mul", [gradient, try context.add("mul", [context.node.id, logA])])
        return [
            try context.unbroadcast(gradientA, to: context.type(of: a).shape),
            try context.unbroadcast(gradientB, to: context.type(of: b).shape),
        ]
    }
}
