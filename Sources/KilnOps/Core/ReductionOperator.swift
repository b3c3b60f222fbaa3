import KilnIR

/// A reduction over a set of axes (`sum`, `mean`, `max`, `min`, `argmax`): a fold of each group
/// of input elements, in float64 and in C. Shape rule, reference, C loops, cost and test cases
/// follow from the fold; the axes and `keepdims` attributes are read by `ReductionGeometry`.
public protocol ReductionOperator: Operator {
    /// The element type of the result (float32, or int64 for positions).
    var outputType: DType { get }
    /// The fold of one group: the elements in C order of the reduced axes.
    func fold(_ group: [Double]) -> Double
    /// The C accumulator folding groups of `count` elements.
    func accumulator(count: Int) -> ReductionAccumulator
}

extension ReductionOperator {
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .reduction }
    /// The C reads every input element once, through `KernelContext.load`.
    public var acceptsPrologue: Bool { true }
    public var outputType: DType { .float32 }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try checkArity(inputs)
        try requireFloat(inputs, 0)
        return TensorType(outputType, try ReductionGeometry(self, input: inputs[0], attributes: attributes).outputShape)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let geometry = try! ReductionGeometry(self, input: signature.inputs[0], attributes: signature.attributes)
        return ReferenceTensor(signature.output, geometry.groups(inputs[0].values).map(fold))
    }

    public func emitC(_ kernel: inout KernelContext) {
        let geometry = try! ReductionGeometry(self, input: kernel.signature.inputs[0], attributes: kernel.attributes)
        geometry.emitC(&kernel, accumulator(count: geometry.reducedCount))
    }

    /// One operation per input element.
    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        OperatorCost(
            flops: signature.inputs[0].shape.elementCount,
            bytesRead: signature.inputs[0].byteCount, bytesWritten: signature.output.byteCount)
    }

    public var testCases: [OperatorTestCase] { reductionTestCases() }

    /// The geometry of the reduction a gradient rule works on.
    func geometry(_ context: GradientContext) throws(KilnError) -> ReductionGeometry {
        try context.checked { () throws(ShapeError) in
            try ReductionGeometry(self, input: context.type(of: context.input(0)), attributes: context.node.attributes)
        }
    }

    /// Every axis configuration: all axes, one axis, several axes, negative axes, keepdims both
    /// ways, a scalar, extent-1 dimensions, no axes, long runs (contiguous, strided, with a
    /// remainder after unrolling), and kept innermost axes (outputs computed 8 at a time). Long sums draw from a positive domain so that the float32
    /// result is far from zero and its rounding error is small relative to it.
    func reductionTestCases(differentiable: Bool = true) -> [OperatorTestCase] {
        let cases: [(String, TensorType, Attributes, ClosedRange<Double>)] = [
            ("all-axes", .f32(2, 3, 4), [:], -2...2),
            ("all-axes-keepdims", .f32(2, 3, 4), ["keepdims": .bool(true)], -2...2),
            ("last-axis", .f32(3, 5), ["axes": .ints([-1])], -2...2),
            ("first-axis", .f32(3, 5), ["axes": .ints([0])], -2...2),
            ("middle-axis-keepdims", .f32(2, 3, 4), ["axes": .ints([1]), "keepdims": .bool(true)], -2...2),
            ("two-axes", .f32(2, 3, 4, 5), ["axes": .ints([0, 2])], -2...2),
            ("two-axes-negative-keepdims", .f32(2, 3, 4), ["axes": .ints([-1, 0]), "keepdims": .bool(true)], -2...2),
            ("inner-axes", .f32(2, 3, 4), ["axes": .ints([1, 2])], -2...2),
            ("scalar", .f32(), [:], -2...2),
            ("scalar-keepdims", .f32(), ["keepdims": .bool(true)], -2...2),
            ("size-1-reduced", .f32(1, 3, 1), ["axes": .ints([0, 2])], -2...2),
            ("size-1-kept", .f32(2, 1), ["axes": .ints([0]), "keepdims": .bool(true)], -2...2),
            ("all-size-1", .f32(1, 1), [:], -2...2),
            ("no-axes", .f32(2, 3), ["axes": .ints([])], -2...2),
            ("long-contiguous", .f32(2, 1000), ["axes": .ints([1])], 0.5...2),
            ("long-strided", .f32(1000, 2), ["axes": .ints([0])], 0.5...2),
            ("long-all-keepdims", .f32(10, 100), ["keepdims": .bool(true)], 0.5...2),
            ("long-two-runs", .f32(3, 2, 37), ["axes": .ints([0, 2])], 0.5...2),
            ("columns", .f32(5, 19), ["axes": .ints([0])], -2...2),
            ("columns-middle-keepdims", .f32(4, 3, 10), ["axes": .ints([1]), "keepdims": .bool(true)], -2...2),
            ("columns-long", .f32(300, 16), ["axes": .ints([-2])], 0.5...2),
            ("columns-two-axes", .f32(3, 4, 2, 8), ["axes": .ints([0, 2])], -2...2),
        ]
        return cases.map { label, type, attributes, domain in
            OperatorTestCase(label, inputs: [type], attributes: attributes, domain: domain, differentiable: differentiable)
        }
    }

    /// Cases full of ties (small integers), for max, min and argmax; not differentiable.
    func tieTestCases() -> [OperatorTestCase] {
        [
            OperatorTestCase(
                "ties", inputs: [.f32(4, 6)], attributes: ["axes": .ints([1])], domain: -2...2,
                differentiable: false, integerValued: [0]),
            OperatorTestCase(
                "ties-long", inputs: [.f32(3, 40)], attributes: ["axes": .ints([-1])], domain: -2...2,
                differentiable: false, integerValued: [0]),
            OperatorTestCase(
                "ties-columns", inputs: [.f32(6, 9)], attributes: ["axes": .ints([0])], domain: -1...1,
                differentiable: false, integerValued: [0]),
            OperatorTestCase(
                "ties-two-axes", inputs: [.f32(3, 2, 20)], attributes: ["axes": .ints([0, 2])], domain: -1...1,
                differentiable: false, integerValued: [0]),
        ]
    }
}
