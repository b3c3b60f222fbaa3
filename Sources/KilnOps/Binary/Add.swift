import Foundation
import KilnIR

/// Elementwise sum with broadcasting.
public struct Add: BinaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "add" }
    public func apply(_ a: Double, _ b: Double) -> Double { a + b }
    public func cExpression(_ a: String, _ b: String) -> String { "(\(a) + \(b))" }
}
