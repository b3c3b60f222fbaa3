import KilnIR

/// Broadcasts the input to `shape` with NumPy rules (`numpy.broadcast_to`): dimensions are
/// aligned from the right, and each input dimension must be 1 or equal to the target's; the
/// result has exactly the target shape. Attribute `shape`: the target dimensions.
/// Works on any element type.
///
/// Gradient: the output gradient summed back to the input shape (`unbroadcast`).
/// Cost: no FLOPs; the input read once, the output written once.
public struct Expand: ElementwiseFormula {
    public init() {}
    public var mnemonic: String { "expand" }
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .broadcast }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try checkArity(inputs)
        let target = Shape(try requiredInts(attributes, "shape"))
        guard target.dimensions.allSatisfy({ $0 >= 0 }), Shape.broadcast(inputs[0].shape, target) == target else {
            throw ShapeError(
                "cannot expand input 0 of shape \(inputs[0].shape) to \(target); expected each dimension of input 0, aligned from the right, to be 1 or equal to the target's")
        }
        return TensorType(inputs[0].dtype, target)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let shape = signature.output.shape
        let strides = inputs[0].shape.broadcastStrides(to: shape)
        return ReferenceTensor(signature.output, IndexSpace(shape).map { inputs[0].values[$0.offset(strides: strides)] })
    }

    public func emitC(_ kernel: inout KernelContext) {
        let output = kernel.signature.output
        StridedCopy(
            extents: output.shape.dimensions, sourceStrides: kernel.signature.inputs[0].shape.broadcastStrides(to: output.shape),
            targetStrides: output.shape.strides
        ).emit(&kernel.writer, source: kernel.inputs[0], target: kernel.output, elementType: output.dtype)
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost { .streaming(signature, flopsPerElement: 0) }

    /// In a fused loop an expand is its operand read at broadcast strides.
    public func cFormula(_ operands: [String], _ attributes: Attributes) -> String { operands[0] }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        [try context.unbroadcast(context.outputGradient, to: context.type(of: context.input(0)).shape)]
    }

    public var testCases: [OperatorTestCase] {
        [
            OperatorTestCase("scalar-to-scalar", inputs: [.f32()], attributes: ["shape": .ints([])]),
            OperatorTestCase("scalar-to-matrix", inputs: [.f32()], attributes: ["shape": .ints([2, 3])]),
            OperatorTestCase("row", inputs: [.f32(3)], attributes: ["shape": .ints([2, 3])]),
            OperatorTestCase("column", inputs: [.f32(2, 1)], attributes: ["shape": .ints([2, 4])]),
            OperatorTestCase("both-ways", inputs: [.f32(2, 1, 4)], attributes: ["shape": .ints([3, 2, 5, 4])]),
            OperatorTestCase("identity", inputs: [.f32(2, 3)], attributes: ["shape": .ints([2, 3])]),
            OperatorTestCase("size-1", inputs: [.f32(1, 1)], attributes: ["shape": .ints([3, 1, 2])]),
            OperatorTestCase("long-rows", inputs: [.f32(1, 40)], attributes: ["shape": .ints([5, 40])]),
            OperatorTestCase("int64", inputs: [.i64(3, 1)], attributes: ["shape": .ints([3, 4])], domain: -5...5, differentiable: false),
        ]
    }
}
