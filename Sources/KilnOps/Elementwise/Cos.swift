import Foundation
import KilnIR

/// Cosine.
public struct Cos: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "cos" }
    public func apply(_ x: Double) -> Double { Foundation.cos(x) }
    public func cExpression(_ x: String) -> String { "kiln_cos(\(x))" }
    public var testDomain: ClosedRange<Double> { -3...3 }
    /// −sin x.
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID {
        try context.add("neg", [try context.add("sin", [x])])
    }
}
