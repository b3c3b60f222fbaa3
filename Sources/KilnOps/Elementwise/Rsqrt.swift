import Foundation
import KilnIR

/// Reciprocal square root, 1/√x, for x > 0 (normalizations divide by it).
public struct Rsqrt: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "rsqrt" }
    public func apply(_ x: Double) -> Double { 1 / x.squareRoot() }
    public func cExpression(_ x: String) -> String { "(1.0f / sqrtf(\(x)))" }
    public var testDomain: ClosedRange<Double> { 0.2...4 }
    public var flopsPerElement: Int { 2 }
    /// −½·x^(−3/2) = −½·y/x.
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID {
        try context.add("mul", [context.scalar(-0.5), try context.add("div", [y, x])])
    }
}
