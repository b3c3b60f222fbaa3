import KilnIR

/// Converts the elements to another element type. Attribute `to`: `"f32"`, `"i32"`, `"i64"` or
/// `"bool"`. To `bool`: 1 where the element is nonzero (NaN included), else 0. Floats to integers
/// round toward zero and saturate to the target's range, NaN becoming 0 (ONNX leaves those
/// undefined; Kiln keeps them from trapping). Integers and booleans to `f32`: the nearest float.
/// A primitive because element types change nowhere else; `bool` masks given as inputs become the
/// float32 masks of 0 and 1 that comparisons and `where` work with.
///
/// Gradient: the output gradient for a cast from f32 to f32, none otherwise (the result of a cast
/// to an integer type is piecewise constant). Cost: one conversion per element.
public struct Cast: Operator {
    public init() {}
    public var mnemonic: String { "cast" }
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .opaque }

    /// The target element type named by `to`.
    func target(_ attributes: Attributes) throws(ShapeError) -> DType {
        guard case .string(let name)? = attributes["to"], let dtype = DType(rawValue: name) else {
            let found = attributes["to"].map { "\($0)" } ?? "absent"
            throw ShapeError("attribute 'to' is \(found); expected one of \(DType.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
        }
        return dtype
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try checkArity(inputs)
        return TensorType(try target(attributes), inputs[0].shape)
    }

    /// `value` converted to `dtype`, as the C code converts it (to f32: unchanged, as the
    /// interpreter keeps every float in float64).
    static func convert(_ value: Double, to dtype: DType) -> Double {
        switch dtype {
        case .float32: value
        case .bool: value != 0 ? 1 : 0
        case .int64: Double(TensorValue.saturatingInt64(value))
        case .int32: value.isNaN ? 0 : min(max(value.rounded(.towardZero), Double(Int32.min)), Double(Int32.max))
        }
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        ReferenceTensor(signature.output, inputs[0].values.map { Self.convert($0, to: signature.output.dtype) })
    }

    public func emitC(_ kernel: inout KernelContext) {
        let count = kernel.signature.output.shape.elementCount
        let input = kernel.inputs[0], output = kernel.output
        let expression: String
        switch (kernel.signature.inputs[0].dtype.isInteger, kernel.signature.output.dtype) {
        case (_, .float32): expression = "(float)x"
        case (_, .bool): expression = "(uint8_t)(x != 0)"
        case (true, .int64): expression = "(int64_t)x"
        case (true, .int32): expression = "(int32_t)(x < -2147483647 - 1 ? -2147483647 - 1 : x > 2147483647 ? 2147483647 : x)"
        case (false, .int64):
            expression = "x != x ? 0 : x >= 9223372036854775808.0f ? 9223372036854775807LL : x < -9223372036854775808.0f ? -9223372036854775807LL - 1 : (int64_t)x"
        case (false, .int32):
            expression = "x != x ? 0 : x >= 2147483648.0f ? 2147483647 : x < -2147483648.0f ? -2147483647 - 1 : (int32_t)x"
        }
        kernel.writer.loop("i", count: count) { body in
            body.line("\(kernel.signature.inputs[0].dtype.cType) x = \(input)[i];")
            body.line("\(output)[i] = \(expression);")
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost { .streaming(signature, flopsPerElement: 1) }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let input = context.type(of: context.input(0)).dtype
        return [input == .float32 && context.node.type.dtype == .float32 ? context.outputGradient : nil]
    }

    public var testCases: [OperatorTestCase] {
        func to(_ dtype: DType) -> Attributes { ["to": .string(dtype.rawValue)] }
        return [
            OperatorTestCase("f32 to f32", inputs: [.f32(3, 4)], attributes: to(.float32)),
            OperatorTestCase("f32 to i64", inputs: [.f32(3, 4)], attributes: to(.int64), domain: -5...5, differentiable: false),
            OperatorTestCase("f32 to i32", inputs: [.f32(5)], attributes: to(.int32), domain: -5...5, differentiable: false),
            OperatorTestCase("f32 to bool", inputs: [.f32(2, 3)], attributes: to(.bool), differentiable: false, integerValued: [0]),
            OperatorTestCase("i64 to f32", inputs: [.i64(2, 3)], attributes: to(.float32), domain: -5...5, differentiable: false),
            OperatorTestCase("i64 to bool", inputs: [.i64(6)], attributes: to(.bool), domain: -2...2, differentiable: false),
            OperatorTestCase(
                "bool to f32", inputs: [TensorType(.bool, [2, 3])], attributes: to(.float32), differentiable: false),
            OperatorTestCase(
                "bool to i64", inputs: [TensorType(.bool, [4])], attributes: to(.int64), differentiable: false),
        ]
    }
}
