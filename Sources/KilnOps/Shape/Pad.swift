import KilnC
import KilnIR

/// Pads with a constant. Attributes: `pads` = `[before_0, ..., before_{r-1}, after_0, ...,
/// after_{r-1}]`, non-negative (element counts added before and after each axis); `value`
/// (float, default 0). A scalar takes `pads = []`.
///
/// Gradient: the `slice` of the output gradient where the input sits. Cost: no FLOPs; the
/// input read once, the output written once.
public struct Pad: Operator {
    public init() {}
    public var mnemonic: String { "pad" }
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .injective }

    /// The padding before and after each axis.
    func padding(_ input: TensorType, _ attributes: Attributes) throws(ShapeError) -> (before: [Int], after: [Int]) {
        let pads = try requiredInts(attributes, "pads")
        let rank = input.shape.rank
        guard pads.count == 2 * rank else {
            throw ShapeError(
                "'pads' has \(pads.count) entries for input 0 of shape \(input.shape); expected \(2 * rank) (before and after each axis)")
        }
        guard pads.allSatisfy({ $0 >= 0 }) else {
            throw ShapeError("'pads' \(AttributeValue.ints(pads)) for input 0 of shape \(input.shape) holds a negative entry; expected non-negative")
        }
        for axis in 0..<rank {
            _ = try checkedSum(
                pads[axis], input.shape[axis], pads[rank + axis],
                otherwise: "'pads' \(AttributeValue.ints(pads)) make axis \(axis) of input 0 of shape \(input.shape) longer than \(Int.max)")
        }
        return (Array(pads[..<rank]), Array(pads[rank...]))
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try checkArity(inputs)
        try requireFloat(inputs, 0)
        _ = try float(attributes, "value", default: 0)
        let (before, after) = try padding(inputs[0], attributes)
        return TensorType(.float32, Shape(inputs[0].shape.dimensions.indices.map { before[$0] + inputs[0].shape[$0] + after[$0] }))
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let (before, _) = try! padding(signature.inputs[0], signature.attributes)
        let fill = signature.attributes.float("value", default: 0)
        let input = inputs[0]
        let values = IndexSpace(signature.output.shape).map { index in
            let position = zip(index, before).map { $0 - $1 }
            let inside = position.indices.allSatisfy { position[$0] >= 0 && position[$0] < input.shape[$0] }
            return inside ? input.values[position.offset(strides: input.shape.strides)] : fill
        }
        return ReferenceTensor(signature.output, values)
    }

    /// Fills the output with `value` (memset for +0), then copies the input into its interior.
    public func emitC(_ kernel: inout KernelContext) {
        let input = kernel.signature.inputs[0], output = kernel.signature.output
        let (before, _) = try! padding(input, kernel.attributes)
        let fill = kernel.attributes.float("value", default: 0)
        if output.shape.elementCount != input.shape.elementCount {
            if fill == 0 && fill.sign == .plus {
                kernel.writer.line("memset(\(kernel.output), 0, \(output.byteCount));")
            } else {
                let target = kernel.output
                kernel.writer.loop("i", count: output.shape.elementCount) { body in
                    body.line("\(target)[i] = \(CLiteral.float(fill));")
                }
            }
        }
        StridedCopy(
            extents: input.shape.dimensions, sourceStrides: input.shape.strides,
            targetStrides: output.shape.strides, targetOffset: before.offset(strides: output.shape.strides)
        ).emit(&kernel.writer, source: kernel.inputs[0], target: kernel.output, elementType: output.dtype)
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost { .streaming(signature, flopsPerElement: 0) }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let input = context.type(of: context.input(0))
        let (before, after) = try context.checked { () throws(ShapeError) in try padding(input, context.node.attributes) }
        if (before + after).allSatisfy({ $0 == 0 }) { return [context.outputGradient] }
        let ends = zip(before, input.shape.dimensions).map { $0 + $1 }
        return [try context.add("slice", [context.outputGradient], attributes: ["starts": .ints(before), "ends": .ints(ends)])]
    }

    public var testCases: [OperatorTestCase] {
        [
            OperatorTestCase("matrix", inputs: [.f32(2, 3)], attributes: ["pads": .ints([1, 0, 0, 2])]),
            OperatorTestCase("vector", inputs: [.f32(3)], attributes: ["pads": .ints([2, 1])]),
            OperatorTestCase("scalar", inputs: [.f32()], attributes: ["pads": .ints([])]),
            OperatorTestCase("size-1", inputs: [.f32(1, 1)], attributes: ["pads": .ints([0, 1, 1, 0])]),
            OperatorTestCase("rank-3", inputs: [.f32(2, 3, 4)], attributes: ["pads": .ints([0, 1, 2, 1, 0, 1])]),
            OperatorTestCase("no-padding", inputs: [.f32(2, 3)], attributes: ["pads": .ints([0, 0, 0, 0])]),
            OperatorTestCase("value", inputs: [.f32(2, 2)], attributes: ["pads": .ints([1, 1, 1, 1]), "value": .float(-1.5)]),
            OperatorTestCase("long-rows", inputs: [.f32(2, 50)], attributes: ["pads": .ints([0, 3, 1, 5])]),
        ]
    }
}
