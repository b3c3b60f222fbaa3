import KilnC
import KilnIR

/// Bilinear upsampling (or resizing) of NCHW planes: each output element interpolates the four
/// input elements around the position it maps to (see `Upsampling` for the mapping, PyTorch's
/// `bilinear` with and without `align_corners`).
///
/// Input x [N, C, H, W]. Attributes: `size` [Ho, Wo] or `scale` [sh, sw] (exactly one),
/// `align_corners` (default false). Output [N, C, Ho, Wo]. C: per-axis tables of the two source
/// positions and the weight. Cost: eight FLOPs per output (three interpolations); bytes = x
/// read, y written. Gradient: `upsample_bilinear2d_backward`(dy) with `input_size`.
public struct UpsampleBilinear2D: Operator {
    public init() {}
    public var mnemonic: String { "upsample_bilinear2d" }
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .injective }

    func upsampling(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> Upsampling {
        try checkArity(inputs)
        let x = try requireImage(inputs, 0)
        return try Upsampling.read(x, attributes, op: self, label: "input 0 of shape \(x)")
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        TensorType(.float32, try upsampling(inputs, attributes).outputShape)
    }

    /// For every in-plane output offset, the four in-plane input offsets it reads and their weights.
    static func taps(_ u: Upsampling, alignCorners: Bool) -> [[(offset: Int, weight: Double)]] {
        (0..<u.height.output).flatMap { oh in
            (0..<u.width.output).map { ow in
                let row = u.height.linear(oh, alignCorners: alignCorners)
                let column = u.width.linear(ow, alignCorners: alignCorners)
                return [
                    (row.low * u.width.input + column.low, (1 - row.weight) * (1 - column.weight)),
                    (row.low * u.width.input + column.high, (1 - row.weight) * column.weight),
                    (row.high * u.width.input + column.low, row.weight * (1 - column.weight)),
                    (row.high * u.width.input + column.high, row.weight * column.weight),
                ]
            }
        }
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let u = try! upsampling(signature.inputs, signature.attributes)
        let taps = Self.taps(u, alignCorners: signature.attributes.bool("align_corners", default: false))
        let y = (0..<u.planes).flatMap { plane in
            taps.map { $0.reduce(0) { $0 + $1.weight * inputs[0].values[plane * u.inputPlane + $1.offset] } }
        }
        return ReferenceTensor(signature.output, y)
    }

    /// Writes the tables and the loops over every output, with `plane`, `o` (the output's
    /// in-plane offset), `top`/`bottom` (the two source rows' offsets), `left`/`right` (the two
    /// source columns) and `down`/`across` (the weights of `bottom` and `right`) in scope.
    static func writeLoops(_ writer: inout CWriter, _ u: Upsampling, alignCorners: Bool, _ body: (inout CWriter) -> Void) {
        let rows = (0..<u.height.output).map { u.height.linear($0, alignCorners: alignCorners) }
        let columns = (0..<u.width.output).map { u.width.linear($0, alignCorners: alignCorners) }
        writer.table("row_low", rows.map(\.low))
        writer.table("row_high", rows.map(\.high))
        writer.table("row_weight", rows.map(\.weight))
        writer.table("column_low", columns.map(\.low))
        writer.table("column_high", columns.map(\.high))
        writer.table("column_weight", columns.map(\.weight))
        writer.loop("plane", count: u.planes) { plane in
            plane.loop("oh", count: u.height.output) { row in
                row.line("long top = row_low[oh]*\(u.width.input), bottom = row_high[oh]*\(u.width.input);")
                row.line("float down = row_weight[oh];")
                row.loop("ow", count: u.width.output) { column in
                    column.line("long o = oh*\(u.width.output) + ow, left = column_low[ow], right = column_high[ow];")
                    column.line("float across = column_weight[ow];")
                    body(&column)
                }
            }
        }
    }

    public func emitC(_ kernel: inout KernelContext) {
        let u = try! upsampling(kernel.signature.inputs, kernel.signature.attributes)
        let x = kernel.inputs[0], y = kernel.output
        Self.writeLoops(&kernel.writer, u, alignCorners: kernel.attributes.bool("align_corners", default: false)) { body in
            body.line("const float *source = \(x) + plane*\(u.inputPlane);")
            body.line("float upper = source[top + left] + across*(source[top + right] - source[top + left]);")
            body.line("float lower = source[bottom + left] + across*(source[bottom + right] - source[bottom + left]);")
            body.line("\(y)[plane*\(u.outputPlane) + o] = upper + down*(lower - upper);")
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost { .streaming(signature, flopsPerElement: 8) }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        var attributes = context.node.attributes
        let x = context.type(of: context.input(0)).shape
        attributes["input_size"] = .ints([x[2], x[3]])
        return [try context.add("upsample_bilinear2d_backward", [context.outputGradient], attributes: attributes)]
    }

    /// Test cases shared with the backward operator: the resampling cases with and without `align_corners`.
    static var testShapes: [(String, Shape, Attributes)] {
        UpsampleNearest2D.resamplingTestCases + UpsampleNearest2D.resamplingTestCases.map { label, shape, attributes in
            var aligned = attributes
            aligned["align_corners"] = .bool(true)
            return ("\(label)-align-corners", shape, aligned)
        }
    }

    public var testCases: [OperatorTestCase] {
        Self.testShapes.map { OperatorTestCase($0, inputs: [TensorType(.float32, $1)], attributes: $2) }
    }
}
