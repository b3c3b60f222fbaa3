import KilnC
import KilnIR

/// Adaptive average pooling: average pooling to a given output size, with PyTorch's windows
/// `start = ⌊i·I/O⌋`, `end = ⌈(i+1)·I/O⌉` along each axis (they may overlap, and an output larger
/// than the input repeats elements).
///
/// Input x [N, C, H, W]. Attribute `output_size` [Ho, Wo] (or one value for both). Output
/// [N, C, Ho, Wo]. C: one pass per window, bounds from tables. Cost: one add per element read
/// by a window plus one division per output; bytes = x read, y written.
/// Gradient: `adaptive_avg_pool2d_backward`(dy) with `input_size`.
public struct AdaptiveAvgPool2D: Operator {
    public init() {}
    public var mnemonic: String { "adaptive_avg_pool2d" }
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .outputFusable }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try checkArity(inputs)
        let x = try requireImage(inputs, 0)
        let size = try SpatialPair.read(attributes, "output_size", default: nil, minimum: 1, op: self)
        guard x[2] >= 1 && x[3] >= 1 else { throw ShapeError("input 0 has shape \(x); expected planes of at least one element") }
        return .f32(x[0], x[1], size.height, size.width)
    }

    /// The input range averaged into output `index` of `outputs` along an axis of `inputs`.
    static func window(_ index: Int, inputs: Int, outputs: Int) -> Range<Int> {
        (index * inputs / outputs)..<((index + 1) * inputs + outputs - 1) / outputs
    }

    /// Calls `body(plane, output offset, input offsets)` for every output element, in order.
    static func forEachWindow(input: Shape, output: Shape, _ body: (Int, Int, [Int]) -> Void) {
        var offset = 0
        for plane in 0..<input[0] * input[1] {
            for oh in 0..<output[2] {
                for ow in 0..<output[3] {
                    let rows = window(oh, inputs: input[2], outputs: output[2])
                    let columns = window(ow, inputs: input[3], outputs: output[3])
                    body(plane, offset, rows.flatMap { row in columns.map { row * input[3] + $0 } })
                    offset += 1
                }
            }
        }
    }

    /// Writes the window tables and the loops over every window, with `plane`, `o` (the output's
    /// in-plane offset) and `count` (the window's size) in scope; `each` sees every element's
    /// in-plane offset as `index`.
    static func writeWindowLoops(
        _ writer: inout CWriter, input: Shape, output: Shape,
        begin: (inout CWriter) -> Void, each: (inout CWriter) -> Void, end: (inout CWriter) -> Void
    ) {
        let rows = (0..<output[2]).map { window($0, inputs: input[2], outputs: output[2]) }
        let columns = (0..<output[3]).map { window($0, inputs: input[3], outputs: output[3]) }
        writer.table("row_start", rows.map(\.lowerBound))
        writer.table("row_end", rows.map(\.upperBound))
        writer.table("column_start", columns.map(\.lowerBound))
        writer.table("column_end", columns.map(\.upperBound))
        writer.loop("plane", count: input[0] * input[1]) { plane in
            plane.loop("oh", count: output[2]) { row in
                row.loop("ow", count: output[3]) { column in
                    column.line("long o = oh*\(output[3]) + ow;")
                    column.line("float count = (float)((row_end[oh] - row_start[oh])*(column_end[ow] - column_start[ow]));")
                    begin(&column)
                    column.block("for (long ih = row_start[oh]; ih < row_end[oh]; ih++)") { rowLoop in
                        rowLoop.block("for (long iw = column_start[ow]; iw < column_end[ow]; iw++)") { tap in
                            tap.line("long index = ih*\(input[3]) + iw;")
                            each(&tap)
                        }
                    }
                    end(&column)
                }
            }
        }
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let input = inputs[0].shape, plane = input[2] * input[3]
        var y = [Double](repeating: 0, count: signature.output.shape.elementCount)
        Self.forEachWindow(input: input, output: signature.output.shape) { index, output, window in
            y[output] = window.reduce(0) { $0 + inputs[0].values[index * plane + $1] } / Double(window.count)
        }
        return ReferenceTensor(signature.output, y)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let input = kernel.signature.inputs[0].shape, output = kernel.signature.output.shape
        let x = kernel.inputs[0], y = kernel.output
        Self.writeWindowLoops(
            &kernel.writer, input: input, output: output,
            begin: { $0.line("float s = 0.0f;") },
            each: { $0.line("s += \(x)[plane*\(input[2] * input[3]) + index];") },
            end: { $0.line("\(y)[plane*\(output[2] * output[3]) + o] = s / count;") })
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        var taps = 0
        Self.forEachWindow(input: signature.inputs[0].shape, output: signature.output.shape) { taps += $2.count + 1 }
        return OperatorCost(flops: taps, bytesRead: signature.inputs[0].byteCount, bytesWritten: signature.output.byteCount)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let x = context.type(of: context.input(0)).shape
        return [try context.add(
            "adaptive_avg_pool2d_backward", [context.outputGradient], attributes: ["input_size": .ints([x[2], x[3]])])]
    }

    public var testCases: [OperatorTestCase] {
        [
            OperatorTestCase("divisible", inputs: [.f32(1, 2, 6, 4)], attributes: ["output_size": .ints([3, 2])]),
            OperatorTestCase("overlapping", inputs: [.f32(2, 1, 5, 7)], attributes: ["output_size": .ints([3, 4])]),
            OperatorTestCase("to-1x1", inputs: [.f32(1, 3, 4, 3)], attributes: ["output_size": .ints([1])]),
            OperatorTestCase("enlarging", inputs: [.f32(1, 1, 2, 3)], attributes: ["output_size": .ints([5, 4])]),
        ]
    }
}
