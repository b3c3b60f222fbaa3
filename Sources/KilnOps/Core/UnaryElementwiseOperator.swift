import KilnC
import KilnIR

/// An elementwise operator of one float32 input: a scalar formula in float64 and in C, and its
/// derivative as graph operations. Shape rule, reference, C loop, cost, gradient and test cases
/// follow from the formula.
public protocol UnaryElementwiseOperator: ElementwiseFormula {
    /// The formula in float64.
    func apply(_ x: Double) -> Double
    /// The formula as a C `float` expression of the operand expression `x`.
    func cExpression(_ x: String) -> String
    /// The derivative dy/dx built from graph operations on the input `x` and the output `y` (a node
    /// of `x`'s shape, or a scalar that broadcasts to it). The gradient rule multiplies it by the
    /// output gradient.
    func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID
    /// Where test inputs are drawn from (keeps samples inside the domain and away from kinks).
    var testDomain: ClosedRange<Double> { get }
    /// FLOPs one element costs (1 unless the formula is expensive).
    var flopsPerElement: Int { get }
}

extension UnaryElementwiseOperator {
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .elementwise }
    public var testDomain: ClosedRange<Double> { -2...2 }
    public var flopsPerElement: Int { 1 }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try checkArity(inputs)
        guard inputs[0].dtype == .float32 else { throw ShapeError("input 0 is \(inputs[0]); expected f32") }
        return inputs[0]
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        ReferenceTensor(signature.output, inputs[0].values.map(apply))
    }

    public func emitC(_ kernel: inout KernelContext) {
        let count = kernel.signature.output.shape.elementCount
        let input = kernel.inputs[0], output = kernel.output
        kernel.writer.loop("i", count: count) { body in
            body.line("float x = \(input)[i];")
            body.line("\(output)[i] = \(cExpression("x"));")
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        .streaming(signature, flopsPerElement: flopsPerElement)
    }

    public func cFormula(_ operands: [String], _ attributes: Attributes) -> String { cExpression(operands[0]) }

    /// The input's gradient: the output gradient times `derivative`.
    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let slope = try derivative(&context, x: context.input(0), y: context.node.id)
        return [try context.add("mul", [context.outputGradient, slope])]
    }

    public var testCases: [OperatorTestCase] {
        [
            OperatorTestCase("scalar", inputs: [.f32()], domain: testDomain),
            OperatorTestCase("size-1", inputs: [.f32(1, 1)], domain: testDomain),
            OperatorTestCase("rank-3", inputs: [.f32(2, 3, 4)], domain: testDomain),
        ]
    }
}
