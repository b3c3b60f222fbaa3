import Foundation
import KilnIR

/// Elementwise difference with broadcasting.
public struct Sub: BinaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "sub" }
    public func apply(_ a: Double, _ b: Double) -> Double { a - b }
    public func cExpression(_ a: String, _ b: String) -> String { "(\(a) - \(b))" }
    /// ∂/∂a = g, ∂/∂b = −g, each summed over the axes its operand was broadcast along.
    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let gradient = context.outputGradient
        let negated = try context.add("neg", [gradient])
        return [
            try context.unbroadcast(gradient, to: context.type(of: context.input(0)).shape),
            try context.unbroadcast(negated, to: context.type(of: context.input(1)).shape),
        ]
    }
}
