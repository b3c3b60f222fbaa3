import Foundation
import KilnIR

/// Natural logarithm, ln x, for x > 0.
public struct Log: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "log" }
    public func apply(_ x: Double) -> Double { Foundation.log(x) }
    public func cExpression(_ x: String) -> String { "kiln_log(\(x))" }
    public var testDomain: ClosedRange<Double> { 0.2...4 }
    /// 1/x.
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID {
        try context.add("reciprocal", [x])
    }
}
