import KilnC
import KilnIR

/// What `softmax` and `log_softmax` share: the shape rule (attribute `axis`, default -1,
/// negative counts from the end), the view of the input as rows along the axis
/// (`[outer, extent, inner]`), and the three-pass C kernel per row (maximum; sum of
/// exponentials of the shifted values; normalization).
struct SoftmaxGeometry {
    /// The product of the extents before the axis.
    let outer: Int
    /// The extent of the axis: the length of each row.
    let extent: Int
    /// The product of the extents after the axis: the stride between row elements.
    let inner: Int

    /// Reads `axis` for input 0 of type `input`.
    init<Definition: Operator>(_ definition: Definition, input: TensorType, attributes: Attributes) throws(ShapeError) {
        let requested = try definition.int(attributes, "axis", default: -1)
        let axis = try definition.normalizedAxis(requested, of: input, index: 0, attribute: "axis")
        let dimensions = input.shape.dimensions
        outer = dimensions[..<axis].reduce(1, *)
        extent = dimensions[axis]
        inner = dimensions[(axis + 1)...].reduce(1, *)
    }

    /// The shape rule: a float32 input of rank 1 or more, the output of the same type.
    static func inferType<Definition: Operator>(
        _ definition: Definition, _ inputs: [TensorType], _ attributes: Attributes
    ) throws(ShapeError) -> TensorType {
        try definition.checkArity(inputs)
        try definition.requireFloat(inputs, 0)
        _ = try SoftmaxGeometry(definition, input: inputs[0], attributes: attributes)
        return inputs[0]
    }

    /// Applies `transform` to every row along the axis (reference semantics).
    func mapRows(_ values: [Double], _ transform: ([Double]) -> [Double]) -> [Double] {
        var result = values
        for o in 0..<outer {
            for i in 0..<inner {
                let offsets = (0..<extent).map { (o * extent + $0) * inner + i }
                for (offset, value) in zip(offsets, transform(offsets.map { values[$0] })) { result[offset] = value }
            }
        }
        return result
    }

    /// The C kernel. Per row: `m0` = the maximum; `s0` = the sum of `kiln_exp(x - m0)`, each term
    /// first passed to `exponential(lane, position)` (which may store it); then `finish` writes
    /// the row from `m0` and `s0`. Variables in scope: `row` (input) and `out` (output) pointers.
    func emitC(
        _ kernel: inout KernelContext, storesExponentials: Bool,
        finish: (_ writer: inout CWriter, _ position: (String) -> String) -> Void
    ) {
        let input = kernel.inputs[0], output = kernel.output
        let extent = self.extent, inner = self.inner
        let lanes = FoldLoop.lanes(for: extent)
        let outerLoops = [(outer, extent * inner), (inner, 1)].filter { $0.0 != 1 }
        let position = { (k: String) in inner == 1 ? k : "\(k)*\(inner)" }
        kernel.writer.loopNest(outerLoops.map(\.0), prefix: "o") { body, names in
            let offset = CIndex.sum(names, strides: outerLoops.map(\.1))
            body.line("const float *row = \(input) + \(offset);")
            body.line("float *out = \(output) + \(offset);")
            let maximum = ReductionAccumulator.extremum(greater: true, name: "m")
            for lane in 0..<lanes { maximum.declare(lane).forEach { body.line($0) } }
            FoldLoop.emit(&body, extent: extent, lanes: lanes, accumulator: maximum) { lane, k in
                (["float v\(lane) = row[\(position(k))];"], "v\(lane)", k)
            }
            for lane in 1..<lanes { maximum.merge(lane).forEach { body.line($0) } }
            let total = ReductionAccumulator.sum(name: "s")
            for lane in 0..<lanes { total.declare(lane).forEach { body.line($0) } }
            FoldLoop.emit(&body, extent: extent, lanes: lanes, accumulator: total) { lane, k in
                var setup = ["float e\(lane) = kiln_exp(row[\(position(k))] - m0);"]
                if storesExponentials { setup.append("out[\(position(k))] = e\(lane);") }
                return (setup, "e\(lane)", k)
            }
            for lane in 1..<lanes { total.merge(lane).forEach { body.line($0) } }
            finish(&body, position)
        }
    }

    /// Test cases shared by both operators: default axis, each axis, negative axes, extent-1
    /// axes and rows, and long rows (contiguous, strided, with an unrolling remainder).
    static var testCases: [OperatorTestCase] {
        let cases: [(String, TensorType, Attributes)] = [
            ("default-axis", .f32(2, 5), [:]),
            ("vector", .f32(7), [:]),
            ("axis-0", .f32(3, 4), ["axis": .int(0)]),
            ("middle-axis", .f32(2, 3, 4), ["axis": .int(1)]),
            ("negative-axis", .f32(2, 3, 4), ["axis": .int(-3)]),
            ("size-1-axis", .f32(4, 1), ["axis": .int(-1)]),
            ("size-1-rows", .f32(1, 5, 1), ["axis": .int(1)]),
            ("single-element", .f32(1), [:]),
            ("long-contiguous", .f32(2, 1000), [:]),
            ("long-strided", .f32(1000, 3), ["axis": .int(0)]),
            ("remainder", .f32(3, 37), [:]),
        ]
        return cases.map { OperatorTestCase($0.0, inputs: [$0.1], attributes: $0.2, domain: -3...3) }
    }
}
