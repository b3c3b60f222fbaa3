import KilnIR

/// Reinterprets the elements under a new shape (same count, same C order).
/// Attribute `shape`: the new dimensions; one of them may be -1, inferred from the count.
public struct Reshape: Operator {
    public init() {}
    public var mnemonic: String { "reshape" }
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .injective }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try checkArity(inputs)
        guard let requested = attributes.ints("shape") else { throw ShapeError("missing attribute 'shape'") }
        let count = inputs[0].shape.elementCount
        let inferred = requested.filter { $0 == -1 }.count
        guard inferred <= 1, requested.allSatisfy({ $0 >= -1 }) else {
            throw ShapeError("target shape \(requested) may hold at most one -1 and no other negative value")
        }
        var dimensions = requested
        func mismatch(_ target: [Int]) -> ShapeError {
            let elements = Shape(target).checkedElementCount.map(String.init) ?? "more than \(Int.max)"
            return ShapeError(
                "cannot reshape input 0 of shape \(inputs[0].shape) (\(count) elements) to \(Shape(target)) (\(elements) elements)")
        }
        if let hole = requested.firstIndex(of: -1) {
            guard let known = Shape(requested.filter { $0 != -1 }).checkedElementCount, known > 0, count % known == 0 else {
                throw ShapeError("cannot reshape input 0 of shape \(inputs[0].shape) (\(count) elements) to \(Shape(requested))")
            }
            dimensions[hole] = count / known
        }
        guard Shape(dimensions).checkedElementCount == count else { throw mismatch(dimensions) }
        return TensorType(inputs[0].dtype, Shape(dimensions))
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        ReferenceTensor(signature.output, inputs[0].values)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let bytes = kernel.signature.output.byteCount
        kernel.writer.line("if ((const void *)\(kernel.output) != (const void *)\(kernel.inputs[0])) memcpy(\(kernel.output), \(kernel.inputs[0]), \(bytes));")
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost { .streaming(signature, flopsPerElement: 0) }

    public var testCases: [OperatorTestCase] {
        [
            OperatorTestCase("flatten", inputs: [.f32(2, 3, 4)], attributes: ["shape": .ints([2, 12])]),
            OperatorTestCase("infer", inputs: [.f32(6)], attributes: ["shape": .ints([-1, 2, 1])]),
            OperatorTestCase("to-scalar", inputs: [.f32(1, 1)], attributes: ["shape": .ints([])]),
            OperatorTestCase("from-scalar", inputs: [.f32()], attributes: ["shape": .ints([1, 1])]),
        ]
    }

    /// The output gradient reshaped back to the input's shape.
    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let shape = context.type(of: context.input(0)).shape
        return [try context.add("reshape", [context.outputGradient], attributes: ["shape": .ints(shape.dimensions)])]
    }
}
