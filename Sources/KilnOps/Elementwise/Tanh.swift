import Foundation
import KilnIR

/// Hyperbolic tangent, in (−1, 1); tanh'(x) = 1 − tanh²(x), at most 1.
public struct Tanh: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "tanh" }
    public func apply(_ x: Double) -> Double { Foundation.tanh(x) }
    public func cExpression(_ x: String) -> String { "kiln_tanh(\(x))" }
    public var testDomain: ClosedRange<Double> { -3...3 }
    public var flopsPerElement: Int { 4 }
    /// 1 − tanh²(x) = 1 − y².
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID {
        try context.add("sub", [context.scalar(1), try context.add("square", [y])])
    }
}
