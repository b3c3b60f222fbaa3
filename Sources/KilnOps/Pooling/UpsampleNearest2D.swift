import KilnC
import KilnIR

/// Nearest-neighbour upsampling (or resizing) of NCHW planes: each output element copies the
/// input element its position maps to (see `Upsampling` for the mapping, PyTorch's `nearest`).
///
/// Input x [N, C, H, W]. Attributes: `size` [Ho, Wo] or `scale` [sh, sw] (exactly one).
/// Output [N, C, Ho, Wo]. C: a gather through per-axis index tables. Cost: no FLOPs; bytes = x
/// read, y written. Gradient: `upsample_nearest2d_backward`(dy) with `input_size`.
public struct UpsampleNearest2D: Operator {
    public init() {}
    public var mnemonic: String { "upsample_nearest2d" }
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

    /// The in-plane input offset of every in-plane output offset.
    static func sources(_ u: Upsampling) -> [Int] {
        (0..<u.height.output).flatMap { oh in
            (0..<u.width.output).map { ow in u.height.nearest(oh) * u.width.input + u.width.nearest(ow) }
        }
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let u = try! upsampling(signature.inputs, signature.attributes)
        let sources = Self.sources(u)
        let y = (0..<u.planes).flatMap { plane in sources.map { inputs[0].values[plane * u.inputPlane + $0] } }
        return ReferenceTensor(signature.output, y)
    }

    /// Writes the tables `row_source` and `column_source` and the loops over every output, with
    /// `plane`, `o` (the output's in-plane offset) and `i` (its source's in-plane offset) in scope.
    static func writeLoops(_ writer: inout CWriter, _ u: Upsampling, _ body: (inout CWriter) -> Void) {
        writer.table("row_source", (0..<u.height.output).map(u.height.nearest))
        writer.table("column_source", (0..<u.width.output).map(u.width.nearest))
        writer.loop("plane", count: u.planes) { plane in
            plane.loop("oh", count: u.height.output) { row in
                row.line("long first = row_source[oh]*\(u.width.input);")
                row.loop("ow", count: u.width.output) { column in
                    column.line("long o = oh*\(u.width.output) + ow, i = first + column_source[ow];")
                    body(&column)
                }
            }
        }
    }

    public func emitC(_ kernel: inout KernelContext) {
        let u = try! upsampling(kernel.signature.inputs, kernel.signature.attributes)
        let x = kernel.inputs[0], y = kernel.output
        Self.writeLoops(&kernel.writer, u) {
            $0.line("\(y)[plane*\(u.outputPlane) + o] = \(x)[plane*\(u.inputPlane) + i];")
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost { .streaming(signature, flopsPerElement: 0) }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        var attributes = context.node.attributes
        let x = context.type(of: context.input(0)).shape
        attributes["input_size"] = .ints([x[2], x[3]])
        return [try context.add("upsample_nearest2d_backward", [context.outputGradient], attributes: attributes)]
    }

    /// Test cases shared by the resampling operators.
    static var resamplingTestCases: [(String, Shape, Attributes)] {
        [
            ("scale-2", [1, 2, 3, 4], ["scale": .float(2)]),
            ("size-nonuniform", [2, 1, 3, 2], ["size": .ints([7, 5])]),
            ("scale-fractional", [1, 1, 4, 5], ["scale": .floats([1.5, 2.5])]),
            ("downsizing", [1, 2, 5, 6], ["size": .ints([3, 4])]),
            ("size-1", [1, 1, 1, 1], ["size": .ints([1])]),
        ]
    }

    public var testCases: [OperatorTestCase] {
        Self.resamplingTestCases.map { OperatorTestCase($0, inputs: [TensorType(.float32, $1)], attributes: $2) }
    }
}
