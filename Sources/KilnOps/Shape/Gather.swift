import KilnC
import KilnIR

/// Picks slices of the data (input 0, f32) along `axis` by integer indices (input 1, i64 or
/// i32): `output[a..., i..., b...] = data[a..., indices[i...], b...]`, of shape
/// `data[..<axis] + indices.shape + data[(axis + 1)...]`. An embedding lookup is a gather on
/// axis 0. Attribute `axis` (default 0; negative counts from the end). Negative indices count
/// from the end of the axis; out-of-range indices: see `GatherGeometry` (unspecified; NaN rows).
///
/// Gradient: `gather_grad` (a scatter-add into zeros of the data shape) for the data; none for
/// the indices. Cost: no FLOPs; the gathered elements and the indices read, the output written.
public struct Gather: Operator {
    public init() {}
    public var mnemonic: String { "gather" }
    public var arity: ClosedRange<Int> { 2...2 }
    public var fusionKind: FusionKind { .injective }

    /// The normalized axis and the geometry.
    func geometry(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> (axis: Int, geometry: GatherGeometry) {
        let requested = try int(attributes, "axis", default: 0)
        let axis = try normalizedAxis(requested, of: inputs[0], index: 0, attribute: "axis")
        return (axis, GatherGeometry(data: inputs[0].shape, axis: axis, indices: inputs[1].shape))
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try checkArity(inputs)
        try requireFloat(inputs, 0)
        try GatherGeometry.requireIndices(inputs, 1)
        return TensorType(.float32, try geometry(inputs, attributes).geometry.gatheredShape)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let g = try! geometry(signature.inputs, signature.attributes).geometry
        var values: [Double] = []
        values.reserveCapacity(signature.output.shape.elementCount)
        for o in 0..<g.outer {
            for index in inputs[1].values {
                let row = g.row(index)
                for i in 0..<g.inner {
                    values.append(row.map { inputs[0].values[(o * g.extent + $0) * g.inner + i] } ?? .nan)
                }
            }
        }
        return ReferenceTensor(signature.output, values)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let g = try! geometry(kernel.signature.inputs, kernel.attributes).geometry
        let data = kernel.inputs[0], output = kernel.output, inner = g.inner
        g.emitPairs(&kernel.writer, indices: kernel.inputs[1]) { body, target, source in
            if inner == 1 {
                body.line("\(output)[\(target)] = valid ? \(data)[\(source)] : KILN_NAN;")
                return
            }
            body.block("if (valid)") { copy in
                copy.line("memcpy(\(output) + \(target), \(data) + \(source), \(inner * 4));")
            }
            body.block("else") { fill in
                fill.loop("i", count: inner) { $0.line("\(output)[\(CIndex.sum([target, "i"]))] = KILN_NAN;") }
            }
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        OperatorCost(
            flops: 0, bytesRead: signature.output.byteCount + signature.inputs[1].byteCount,
            bytesWritten: signature.output.byteCount)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let types = context.node.inputs.map { context.type(of: $0) }
        let axis = try context.checked { () throws(ShapeError) in try geometry(types, context.node.attributes).axis }
        let data = try context.add("gather_grad", [context.outputGradient, context.input(1)], attributes: [
            "axis": .int(axis), "shape": .ints(types[0].shape.dimensions),
        ])
        return [data, nil]
    }

    public var testCases: [OperatorTestCase] {
        let int32 = { (dimensions: Int...) in TensorType(.int32, Shape(dimensions)) }
        return [
            OperatorTestCase("embedding", inputs: [.f32(10, 4), .i64(3)], domains: [-2...2, 0...10]),
            OperatorTestCase("embedding-i32-matrix", inputs: [.f32(10, 4), int32(2, 3)], domains: [-2...2, 0...10]),
            OperatorTestCase("axis-1", inputs: [.f32(3, 5, 2), .i64(4)], attributes: ["axis": .int(1)], domains: [-2...2, 0...5]),
            OperatorTestCase("negative-axis", inputs: [.f32(3, 5), .i64(2, 2)], attributes: ["axis": .int(-1)], domains: [-2...2, 0...5]),
            OperatorTestCase("negative-indices", inputs: [.f32(6, 3), .i64(5)], domains: [-2...2, -6...6]),
            OperatorTestCase("scalar-index", inputs: [.f32(4, 3), .i64()], domains: [-2...2, 0...4]),
            OperatorTestCase("vector-data", inputs: [.f32(7), .i64(3)], domains: [-2...2, 0...7]),
            OperatorTestCase("size-1", inputs: [.f32(1, 1), .i64(1)], domains: [-2...2, 0...1]),
            OperatorTestCase("long-rows", inputs: [.f32(6, 40), .i64(5)], domains: [-2...2, 0...6]),
        ]
    }
}
