import Foundation
import KilnIR

/// Elementwise power aᵇ with broadcasting, for a > 0 (a real power of a negative base is undefined).
public struct Pow: BinaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "pow" }
    public func apply(_ a: Double, _ b: Double) -> Double { Foundation.pow(a, b) }
    public func cExpression(_ a: String, _ b: String) -> String { "powf(\(a), \(b))" }
    public var testDomains: [ClosedRange<Double>] { [0.2...3, -2...2] }
}
