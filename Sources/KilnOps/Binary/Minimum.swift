import Foundation
import KilnIR

/// Elementwise minimum with broadcasting.
public struct Minimum: BinaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "minimum" }
    public func apply(_ a: Double, _ b: Double) -> Double { Swift.min(a, b) }
    public func cExpression(_ a: String, _ b: String) -> String { "(\(a) < \(b) ? \(a) : \(b))" }
}
