import KilnIR

/// Comparison with broadcasting: 1 where a < b, else 0.
///
/// The result is a float32 mask (0 or 1), ready to multiply with or to feed `where`.
/// Not differentiable (its gradient is zero almost everywhere).
public struct Less: BinaryElementwiseOperator {
    public init() {}
    public var mnemonic: String { "less" }
    public func apply(_ a: Double, _ b: Double) -> Double { Float(a) < Float(b) ? 1 : 0 }
    public func cExpression(_ a: String, _ b: String) -> String { "(float)(\(a) < \(b))" }
    public var testCases: [OperatorTestCase] {
        broadcastTestCases(arity: 2, domains: [-2...2, -2...2]).map { testCase in
            var testCase = testCase
            testCase.differentiable = false
            return testCase
        } + [OperatorTestCase(
            "ties", inputs: [.f32(4, 4), .f32(4)], domain: -1...1.999, differentiable: false, integerValued: [0, 1])]
    }
    /// No gradient for either operand: the mask is piecewise constant.
    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] { [nil, nil] }
}
