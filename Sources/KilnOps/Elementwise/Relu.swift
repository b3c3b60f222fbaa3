import Foundation
import KilnIR

/// Rectified linear unit, max(0, x). Kinked at 0 (sub-gradient 0 there); the C is branch-free.
public struct Relu: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "relu" }
    public func apply(_ x: Double) -> Double { Swift.max(0, x) }
    public func cExpression(_ x: String) -> String { "(\(x) * (\(x) > 0.0f))" }
}
