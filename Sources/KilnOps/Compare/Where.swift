import KilnIR

/// Selection with broadcasting: `a` where `condition` is non-zero, `b` elsewhere. The condition
/// is a float32 mask or a `bool` tensor (a mask given as a graph input).
public struct Where: ElementwiseFormula {
    public init() {}
    public var mnemonic: String { "where" }
    public var arity: ClosedRange<Int> { 3...3 }
    public var fusionKind: FusionKind { .broadcast }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try checkArity(inputs)
        guard inputs[0].dtype == .float32 || inputs[0].dtype == .bool else {
            throw ShapeError("input 0 is \(inputs[0]); expected f32 or bool")
        }
        return try inferBroadcastType(inputs, firstFloatInput: 1)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        broadcastEvaluate(inputs, signature) { $0[0] != 0 ? $0[1] : $0[2] }
    }

    public func emitC(_ kernel: inout KernelContext) {
        let attributes = kernel.attributes
        emitBroadcastLoop(&kernel) { cFormula($0, attributes) }
    }

    public func cFormula(_ operands: [String], _ attributes: Attributes) -> String {
        "(\(operands[0]) != 0.0f ? \(operands[1]) : \(operands[2]))"
    }

    public var testCases: [OperatorTestCase] {
        broadcastTestCases(arity: 3, domains: [0...1.999, -2...2, -2...2]).map { testCase in
            var testCase = testCase
            testCase.integerValued = [0]  // the condition is a 0/1 mask
            return testCase
        } + [
            OperatorTestCase(
                "bool-condition", inputs: [TensorType(.bool, [3, 1]), .f32(3, 4), .f32(4)], differentiable: false),
        ]
    }

    /// The output gradient goes to `a` where the condition holds and to `b` elsewhere, each summed
    /// over the axes its operand was broadcast along; the condition gets none.
    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let condition = context.input(0), gradient = context.outputGradient
        let zero = context.scalar(0)
        let gradientA = try context.add("where", [condition, gradient, zero])
        let gradientB = try context.add("where", [condition, zero, gradient])
        return [
            nil,
            try context.unbroadcast(gradientA, to: context.type(of: context.input(1)).shape),
            try context.unbroadcast(gradientB, to: context.type(of: context.input(2)).shape),
        ]
    }
}
