import Foundation
import KilnIR

/// Absolute value, |x|. Kinked at 0: tests sample away from it.
public struct Absolute: UnaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "abs" }
    public func apply(_ x: Double) -> Double { Swift.abs(x) }
    public func cExpression(_ x: String) -> String { "fabsf(\(x))" }
    public var testDomain: ClosedRange<Double> { 0.1...2 }
}
