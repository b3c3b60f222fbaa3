import Foundation
import KilnIR

/// Square root, √x, for x ≥ 0.
public struct Sqrt: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "sqrt" }
    public func apply(_ x: Double) -> Double { x.squareRoot() }
    public func cExpression(_ x: String) -> String { "sqrtf(\(x))" }
    public var testDomain: ClosedRange<Double> { 0.2...4 }
    /// 1/(2√x) = ½/y.
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID {
        try context.add("div", [context.scalar(0.5), y])
    }
}
