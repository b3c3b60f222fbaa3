import Foundation
import KilnIR

/// Cosine.
public struct Cos: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "cos" }
    public func apply(_ x: Double) -> Double { Foundation.cos(x) }
    public func cExpression(_ x: String) -> String { "cosf(\(x))" }
    public var testDomain: ClosedRange<Double> { -3...3 }
}
