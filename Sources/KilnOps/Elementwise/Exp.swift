import Foundation
import KilnIR

/// Exponential, eˣ.
public struct Exp: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "exp" }
    public func apply(_ x: Double) -> Double { Foundation.exp(x) }
    public func cExpression(_ x: String) -> String { "kiln_exp(\(x))" }
    public var testDomain: ClosedRange<Double> { -3...3 }
    /// eˣ, the output itself.
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID { y }
}
