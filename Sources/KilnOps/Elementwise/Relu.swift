import Foundation
import KilnIR

/// Rectified linear unit, max(0, x). Kinked at 0 (sub-gradient 0 there); the C is branch-free.
public struct Relu: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "relu" }
    public func apply(_ x: Double) -> Double { Swift.max(0, x) }
    public func cExpression(_ x: String) -> String { "(\(x) * (\(x) > 0.0f))" }
    /// The mask x > 0 (0 at the kink).
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID {
        try context.add("greater", [x, context.scalar(0)])
    }
}
