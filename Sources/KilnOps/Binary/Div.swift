import Foundation
import KilnIR

/// Elementwise quotient with broadcasting.
public struct Div: BinaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "div" }
    public func apply(_ a: Double, _ b: Double) -> Double { a / b }
    public func cExpression(_ a: String, _ b: String) -> String { "(\(a) / \(b))" }
    public var testDomains: [ClosedRange<Double>] { [-2...2, 0.5...2] }
}
