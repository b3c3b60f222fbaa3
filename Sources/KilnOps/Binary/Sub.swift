import Foundation
import KilnIR

/// Elementwise difference with broadcasting.
public struct Sub: BinaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "sub" }
    public func apply(_ a: Double, _ b: Double) -> Double { a - b }
    public func cExpression(_ a: String, _ b: String) -> String { "(\(a) - \(b))" }
}
