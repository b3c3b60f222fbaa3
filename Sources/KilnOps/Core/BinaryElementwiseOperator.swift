import KilnC
import KilnIR

/// An elementwise operator of two float32 inputs with NumPy broadcasting: a scalar formula in
/// float64 and in C. Shape rule, reference, C loops, cost and test cases follow from the formula.
public protocol BinaryElementwiseOperator: ElementwiseFormula {
    /// The formula in float64.
    func apply(_ a: Double, _ b: Double) -> Double
    /// The formula as a C `float` expression of the operand expressions.
    func cExpression(_ a: String, _ b: String) -> String
    /// Where test inputs are drawn from, per operand.
    var testDomains: [ClosedRange<Double>] { get }
}

extension BinaryElementwiseOperator {
    public var arity: ClosedRange<Int> { 2...2 }
    public var fusionKind: FusionKind { .broadcast }
    public var testDomains: [ClosedRange<Double>] { [-2...2, -2...2] }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try inferBroadcastType(inputs)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        broadcastEvaluate(inputs, signature) { apply($0[0], $0[1]) }
    }

    public func emitC(_ kernel: inout KernelContext) {
        emitBroadcastLoop(&kernel) { cExpression($0[0], $0[1]) }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        .streaming(signature, flopsPerElement: 1)
    }

    public func cFormula(_ operands: [String], _ attributes: Attributes) -> String { cExpression(operands[0], operands[1]) }

    public var testCases: [OperatorTestCase] { broadcastTestCases(arity: 2, domains: testDomains) }
}

extension Operator {
    /// The broadcast type of float32 inputs, or an error naming the first input that does not broadcast.
    func inferBroadcastType(_ inputs: [TensorType], firstFloatInput: Int = 0) throws(ShapeError) -> TensorType {
        try checkArity(inputs)
        for (index, input) in inputs.enumerated() where index >= firstFloatInput && input.dtype != .float32 {
            throw ShapeError("input \(index) is \(input); expected f32")
        }
        var shape = inputs[0].shape
        for (index, input) in inputs.enumerated().dropFirst() {
            guard let joined = Shape.broadcast(shape, input.shape) else {
                let earlier = inputs[..<index].map(\.description).joined(separator: ", ")
                throw ShapeError("cannot broadcast input \(index) of shape \(input.shape) with \(earlier)")
            }
            shape = joined
        }
        return TensorType(.float32, shape)
    }

    /// Evaluates a broadcast elementwise formula.
    func broadcastEvaluate(
        _ inputs: [ReferenceTensor], _ signature: OperatorSignature, _ formula: ([Double]) -> Double
    ) -> ReferenceTensor {
        let shape = signature.output.shape
        let strides = inputs.map { $0.shape.broadcastStrides(to: shape) }
        var values = [Double]()
        values.reserveCapacity(shape.elementCount)
        var operands = [Double](repeating: 0, count: inputs.count)
        for index in IndexSpace(shape) {
            for (operand, input) in inputs.enumerated() {
                operands[operand] = input.values[index.offset(strides: strides[operand])]
            }
            values.append(formula(operands))
        }
        return ReferenceTensor(signature.output, values)
    }

    /// Writes the loops of a broadcast elementwise formula: one flat loop when no input broadcasts,
    /// nested loops with zero strides otherwise.
    func emitBroadcastLoop(_ kernel: inout KernelContext, _ expression: ([String]) -> String) {
        let shape = kernel.signature.output.shape
        let inputs = kernel.inputs, output = kernel.output
        if kernel.signature.inputs.allSatisfy({ $0.shape == shape }) {
            kernel.writer.loop("i", count: shape.elementCount) { body in
                body.line("\(output)[i] = \(expression(inputs.map { "\($0)[i]" }));")
            }
            return
        }
        let strides = kernel.signature.inputs.map { $0.shape.broadcastStrides(to: shape) }
        let outputStrides = shape.strides
        kernel.writer.loopNest(shape.dimensions) { body, indices in
            let operands = zip(inputs, strides).map { "\($0)[\(CWriter.index(indices, strides: $1))]" }
            body.line("\(output)[\(CWriter.index(indices, strides: outputStrides))] = \(expression(operands));")
        }
    }

    /// Test cases for an n-ary broadcast operator: equal shapes, broadcasting both ways, scalars.
    func broadcastTestCases(arity: Int, domains: [ClosedRange<Double>]) -> [OperatorTestCase] {
        let shapes: [(String, [TensorType])] = [
            ("same", [.f32(2, 3), .f32(2, 3), .f32(2, 3)]),
            ("row", [.f32(2, 3), .f32(3), .f32(1, 3)]),
            ("both-ways", [.f32(2, 1, 4), .f32(3, 1), .f32(1, 3, 4)]),
            ("scalar", [.f32(), .f32(2, 2), .f32(1)]),
            ("size-1", [.f32(1), .f32(), .f32(1, 1)]),
        ]
        return shapes.map { label, types in
            OperatorTestCase(label, inputs: Array(types.prefix(arity)), domains: domains)
        }
    }
}
