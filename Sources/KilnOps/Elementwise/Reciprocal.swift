import Foundation
import KilnIR

/// Reciprocal, 1/x, for x ≠ 0.
public struct Reciprocal: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "reciprocal" }
    public func apply(_ x: Double) -> Double { 1 / x }
    public func cExpression(_ x: String) -> String { "(1.0f / \(x))" }
    public var testDomain: ClosedRange<Double> { 0.3...3 }
    /// −1/x² = −y².
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID {
        try context.add("neg", [try context.add("square", [y])])
    }
}
