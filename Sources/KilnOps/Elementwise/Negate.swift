import Foundation
import KilnIR

/// Negation, −x.
public struct Negate: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "neg" }
    public func apply(_ x: Double) -> Double { -x }
    public func cExpression(_ x: String) -> String { "(-\(x))" }
    /// −1.
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID {
        context.scalar(-1)
    }
}
