import KilnC
import KilnIR

/// An elementwise operator of one float32 input whose formula reads attributes (leaky_relu's
/// `alpha`, gelu's `approximate`): a scalar formula in float64 and in C, and its derivative as
/// graph operations. Like `UnaryElementwiseOperator`, the shape rule, reference, C loop, cost,
/// gradient and test cases follow from the formula; the shape rule also checks the attributes.
public protocol AttributedUnaryOperator: ElementwiseFormula {
    /// The formula in float64 under `attributes` (already checked by `checkAttributes`).
    func apply(_ x: Double, _ attributes: Attributes) -> Double
    /// The formula as a C `float` expression of the operand expression `x` under `attributes`.
    func cExpression(_ x: String, _ attributes: Attributes) -> String
    /// Throws when an attribute is missing, mistyped or out of range.
    func checkAttributes(_ attributes: Attributes) throws(ShapeError)
    /// The derivative dy/dx built from graph operations on the input `x` and the output `y`
    /// (the node's attributes are `context.node.attributes`). The gradient rule multiplies it by
    /// the output gradient.
    func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID
    /// The intervals test inputs are drawn from, one per smooth piece of the formula (so that no
    /// sample sits on a kink).
    var testDomains: [ClosedRange<Double>] { get }
    /// Attribute sets tested besides the defaults (the empty set).
    var attributeVariants: [Attributes] { get }
    /// FLOPs one element costs.
    var flopsPerElement: Int { get }
}

extension AttributedUnaryOperator {
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .elementwise }
    public var testDomains: [ClosedRange<Double>] { [-2...2] }
    public var attributeVariants: [Attributes] { [] }
    public var flopsPerElement: Int { 1 }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try checkArity(inputs)
        guard inputs[0].dtype == .float32 else { throw ShapeError("input 0 is \(inputs[0]); expected f32") }
        try checkAttributes(attributes)
        return inputs[0]
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        ReferenceTensor(signature.output, inputs[0].values.map { apply($0, signature.attributes) })
    }

    public func emitC(_ kernel: inout KernelContext) {
        let count = kernel.signature.output.shape.elementCount
        let input = kernel.inputs[0], output = kernel.output
        let expression = cExpression("x", kernel.attributes)
        kernel.writer.loop("i", count: count) { body in
            body.line("float x = \(input)[i];")
            body.line("\(output)[i] = \(expression);")
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        .streaming(signature, flopsPerElement: flopsPerElement)
    }

    public func cFormula(_ operands: [String], _ attributes: Attributes) -> String { cExpression(operands[0], attributes) }

    /// The input's gradient: the output gradient times `derivative`.
    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let slope = try derivative(&context, x: context.input(0), y: context.node.id)
        return [try context.add("mul", [context.outputGradient, slope])]
    }

    public var testCases: [OperatorTestCase] {
        ([Attributes()] + attributeVariants).flatMap { attributes in
            unaryTestCases(domains: testDomains, attributes: attributes)
        }
    }
}

extension Operator {
    /// Test cases for an elementwise operator of one input: a scalar, size-1 dimensions and a
    /// rank-3 tensor on each of `domains` (the smooth pieces of a piecewise formula).
    func unaryTestCases(domains: [ClosedRange<Double>], attributes: Attributes = [:]) -> [OperatorTestCase] {
        let suffix = attributes.isEmpty ? "" : " " + attributes.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
        return domains.flatMap { domain in
            let label = domains.count == 1 ? suffix : " on \(domain)\(suffix)"
            return [
                OperatorTestCase("scalar\(label)", inputs: [.f32()], attributes: attributes, domain: domain),
                OperatorTestCase("size-1\(label)", inputs: [.f32(1, 1)], attributes: attributes, domain: domain),
                OperatorTestCase("rank-3\(label)", inputs: [.f32(2, 3, 4)], attributes: attributes, domain: domain),
            ]
        }
    }
}
