import Foundation
import KilnIR

/// Elementwise product with broadcasting.
public struct Mul: BinaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "mul" }
    public func apply(_ a: Double, _ b: Double) -> Double { a * b }
    public func cExpression(_ a: String, _ b: String) -> String { "(\(a) * \(b))" }
}
