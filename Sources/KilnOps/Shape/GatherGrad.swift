import KilnIR

/// The gradient of `gather` for its data: a scatter-add. Input 0 is the gradient of the gathered
/// tensor (f32), input 1 the indices (i64 or i32); the result has the data shape, zero except
/// that each gathered element's gradient is added to the data position it came from (repeated
/// indices accumulate). Attributes: `axis` (default 0; negative counts from the end of `shape`)
/// and `shape` (the data shape). Out-of-range indices are ignored (see `GatherGeometry`).
///
/// Gradient: `gather` of the output gradient for input 0; none for the indices.
/// Cost: one addition per input-0 element; input 0 and the indices read, the output written.
public struct GatherGrad: Operator {
    public init() {}
    public var mnemonic: String { "gather_grad" }
    public var arity: ClosedRange<Int> { 2...2 }
    public var fusionKind: FusionKind { .opaque }

    /// The data shape, the normalized axis and the geometry.
    func geometry(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> (data: Shape, axis: Int, geometry: GatherGeometry) {
        let data = Shape(try requiredInts(attributes, "shape"))
        guard data.dimensions.allSatisfy({ $0 >= 0 }) else {
            throw ShapeError("'shape' \(data) holds a negative extent; expected the data shape of the gather")
        }
        let requested = try int(attributes, "axis", default: 0)
        let axis = try normalizedAxis(requested, of: TensorType(.float32, data), index: 0, attribute: "axis")
        return (data, axis, GatherGeometry(data: data, axis: axis, indices: inputs[1].shape))
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try checkArity(inputs)
        try requireFloat(inputs, 0)
        try GatherGeometry.requireIndices(inputs, 1)
        let (data, axis, g) = try geometry(inputs, attributes)
        guard inputs[0].shape == g.gatheredShape else {
            throw ShapeError(
                "input 0 has shape \(inputs[0].shape); expected \(g.gatheredShape), the gather of shape \(data) along axis \(axis) by indices of shape \(inputs[1].shape)")
        }
        return TensorType(.float32, data)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let g = try! geometry(signature.inputs, signature.attributes).geometry
        var values = [Double](repeating: 0, count: signature.output.shape.elementCount)
        var position = 0
        for o in 0..<g.outer {
            for index in inputs[1].values {
                let row = g.row(index)
                for i in 0..<g.inner {
                    if let row { values[(o * g.extent + row) * g.inner + i] += inputs[0].values[position] }
                    position += 1
                }
            }
        }
        return ReferenceTensor(signature.output, values)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let g = try! geometry(kernel.signature.inputs, kernel.attributes).geometry
        let gradient = kernel.inputs[0], output = kernel.output, inner = g.inner
        kernel.writer.line("memset(\(output), 0, \(kernel.signature.output.byteCount));")
        g.emitPairs(&kernel.writer, indices: kernel.inputs[1]) { body, source, target in
            body.block("if (valid)") { add in
                add.loop("i", count: inner) { $0.line("\(output)[\(CIndex.sum([target, "i"]))] += \(gradient)[\(CIndex.sum([source, "i"]))];") }
            }
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        OperatorCost(
            flops: signature.inputs[0].shape.elementCount,
            bytesRead: signature.inputs[0].byteCount + signature.inputs[1].byteCount,
            bytesWritten: signature.output.byteCount)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let axis = context.node.attributes.int("axis", default: 0)
        return [try context.add("gather", [context.outputGradient, context.input(1)], attributes: ["axis": .int(axis)]), nil]
    }

    public var testCases: [OperatorTestCase] {
        [
            OperatorTestCase(
                "embedding-repeats", inputs: [.f32(6, 4), .i64(6)], attributes: ["shape": .ints([3, 4])],
                domains: [-2...2, 0...3]),
            OperatorTestCase(
                "axis-1-i32", inputs: [.f32(3, 2, 2, 2), TensorType(.int32, [2, 2])],
                attributes: ["axis": .int(1), "shape": .ints([3, 5, 2])], domains: [-2...2, 0...5]),
            OperatorTestCase(
                "negative-axis-and-indices", inputs: [.f32(3, 4), .i64(4)],
                attributes: ["axis": .int(-1), "shape": .ints([3, 5])], domains: [-2...2, -5...5]),
            OperatorTestCase(
                "scalar-index", inputs: [.f32(3), .i64()], attributes: ["shape": .ints([4, 3])], domains: [-2...2, 0...4]),
            OperatorTestCase(
                "vector-data", inputs: [.f32(5), .i64(5)], attributes: ["shape": .ints([3])], domains: [-2...2, 0...3]),
            OperatorTestCase(
                "size-1", inputs: [.f32(1, 1), .i64(1)], attributes: ["shape": .ints([1, 1])], domains: [-2...2, 0...1]),
        ]
    }
}
