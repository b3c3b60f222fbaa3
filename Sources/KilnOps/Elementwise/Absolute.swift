import Foundation
import KilnIR

/// Absolute value, |x|. Kinked at 0: tests sample away from it.
public struct Absolute: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "abs" }
    public func apply(_ x: Double) -> Double { Swift.abs(x) }
    public func cExpression(_ x: String) -> String { "fabsf(\(x))" }
    public var testDomain: ClosedRange<Double> { 0.1...2 }
    /// sign(x) = (x > 0) − (x < 0): 0 at the kink.
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID {
        let zero = context.scalar(0)
        let positive = try context.add("greater", [x, zero])
        let negative = try context.add("less", [x, zero])
        return try context.add("sub", [positive, negative])
    }
}
