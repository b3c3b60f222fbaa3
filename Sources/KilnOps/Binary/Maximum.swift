import Foundation
import KilnIR

/// Elementwise maximum with broadcasting. Ties are non-differentiable: tests sample continuous values.
public struct Maximum: BinaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "maximum" }
    public func apply(_ a: Double, _ b: Double) -> Double { Swift.max(a, b) }
    public func cExpression(_ a: String, _ b: String) -> String { "(\(a) > \(b) ? \(a) : \(b))" }
}
