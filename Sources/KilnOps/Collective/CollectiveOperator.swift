import KilnIR

/// What the collective operators (`allreduce_mean`, `allreduce_start`, `allreduce_wait`) share: one
/// float32 input and an output of its type, the identity in one process (the reference
/// interpreter's value), the bytes of one read and one write, and never fused (an exchange sees
/// its whole buffer, and no epilogue may read a buffer in flight).
public protocol CollectiveOperator: Operator {}

extension CollectiveOperator {
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .opaque }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try checkArity(inputs)
        guard inputs[0].dtype == .float32 else { throw ShapeError("input 0 is \(inputs[0]); expected float32") }
        return inputs[0]
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        ReferenceTensor(signature.output, inputs[0].values)
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        OperatorCost(flops: 0, bytesRead: signature.output.byteCount, bytesWritten: signature.output.byteCount)
    }

    public var testCases: [OperatorTestCase] {
        [
            OperatorTestCase("matrix", inputs: [.f32(4, 8)], domain: -4...4),
            OperatorTestCase("scalar", inputs: [.f32()], domain: -1...1),
        ]
    }
}
