import KilnIR

/// An elementwise comparison with broadcasting, giving a float32 mask: 1 where the relation holds,
/// 0 elsewhere, ready to multiply with or to feed `where`. Operands are compared as float32.
///
/// Not differentiable: the mask is piecewise constant, so neither operand gets a gradient.
public protocol ComparisonOperator: BinaryElementwiseOperator {
    /// The C relational operator (`<`, `==`, ...).
    var cOperator: String { get }
    /// The relation in Swift.
    func holds(_ a: Float, _ b: Float) -> Bool
}

extension ComparisonOperator {
    public func apply(_ a: Double, _ b: Double) -> Double { holds(Float(a), Float(b)) ? 1 : 0 }

    public func cExpression(_ a: String, _ b: String) -> String { "(float)(\(a) \(cOperator) \(b))" }

    public var testCases: [OperatorTestCase] {
        broadcastTestCases(arity: 2, domains: [-2...2, -2...2]).map { testCase in
            var testCase = testCase
            testCase.differentiable = false
            return testCase
        } + [OperatorTestCase(
            "ties", inputs: [.f32(4, 4), .f32(4)], domain: -1...1.999, differentiable: false, integerValued: [0, 1])]
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] { [nil, nil] }
}
