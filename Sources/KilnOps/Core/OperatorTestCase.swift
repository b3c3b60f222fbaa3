import KilnIR

/// One configuration an operator is tested in: input types, attributes and where inputs are drawn from.
public struct OperatorTestCase: Sendable {
    /// A short label shown when the case fails.
    public var label: String
    /// The input types.
    public var inputs: [TensorType]
    /// The node's attributes.
    public var attributes: Attributes
    /// For each input, the interval its random values come from (integers: `low..<high`).
    public var domains: [ClosedRange<Double>]
    /// Whether the operator is smooth at the sampled points, so finite differences apply.
    public var differentiable: Bool
    /// Float inputs whose values are rounded down to integers (masks, ties for comparisons).
    public var integerValued: Set<Int>

    /// Creates a test case; `domain` applies to every input unless `domains` is given.
    public init(
        _ label: String, inputs: [TensorType], attributes: Attributes = [:],
        domain: ClosedRange<Double> = -2...2, domains: [ClosedRange<Double>]? = nil, differentiable: Bool = true,
        integerValued: Set<Int> = []
    ) {
        self.label = label
        self.inputs = inputs
        self.attributes = attributes
        self.domains = domains ?? Array(repeating: domain, count: inputs.count)
        self.differentiable = differentiable
        self.integerValued = integerValued
    }
}

extension TensorType {
    /// A float32 type of the given dimensions (shorthand for test cases).
    public static func f32(_ dimensions: Int...) -> TensorType { TensorType(.float32, Shape(dimensions)) }
    /// An int64 type of the given dimensions.
    public static func i64(_ dimensions: Int...) -> TensorType { TensorType(.int64, Shape(dimensions)) }
}
