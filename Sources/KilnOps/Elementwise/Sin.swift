import Foundation
import KilnIR

/// Sine.
public struct Sin: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "sin" }
    public func apply(_ x: Double) -> Double { Foundation.sin(x) }
    public func cExpression(_ x: String) -> String { "kiln_sin(\(x))" }
    public var testDomain: ClosedRange<Double> { -3...3 }
    /// cos x.
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID {
        try context.add("cos", [x])
    }
}
