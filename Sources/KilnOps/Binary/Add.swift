import Foundation
import KilnIR

/// Elementwise sum with broadcasting.
public struct Add: BinaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "add" }
    public func apply(_ a: Double, _ b: Double) -> Double { a + b }
    public func cExpression(_ a: String, _ b: String) -> String { "(\(a) + \(b))" }
    /// Both operands receive the output gradient, summed over the axes they were broadcast along.
    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let gradient = context.outputGradient
        return [
            try context.unbroadcast(gradient, to: context.type(of: context.input(0)).shape),
            try context.unbroadcast(gradient, to: context.type(of: context.input(1)).shape),
        ]
    }
}
