import Foundation
import KilnIR

/// Square, x².
public struct Square: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "square" }
    public func apply(_ x: Double) -> Double { x * x }
    public func cExpression(_ x: String) -> String { "(\(x) * \(x))" }
    /// 2x.
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID {
        try context.add("mul", [context.scalar(2), x])
    }
}
