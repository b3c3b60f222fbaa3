import KilnC
import KilnIR

/// 2-D average pooling over NCHW planes: `y[n, c, oh, ow] = Σ window / divisor`.
///
/// Input x [N, C, H, W]. Attributes: those of `max_pool2d` (`kernel_size`, `stride`, `padding`,
/// `dilation`, `ceil_mode`), plus `count_include_pad` (default true: the divisor counts the
/// window's padding positions, but not the part of a `ceil_mode` window past the end padding, as
/// in PyTorch; false: only the input elements) and `divisor_override` (an integer that replaces
/// the divisor; 1 gives sum pooling). Output [N, C, Hout, Wout].
///
/// C: tap-major sums over output ranges from tables, then one division per output. Cost: one add per element read
/// by a window plus one division per output; bytes = x read, y written.
/// Gradient: `avg_pool2d_backward`(dy) with `input_size`.
public struct AvgPool2D: Operator {
    public init() {}
    public var mnemonic: String { "avg_pool2d" }
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .outputFusable }

    func window(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> PoolingWindow {
        try checkArity(inputs)
        let x = try requireImage(inputs, 0)
        _ = try AverageDivisor(attributes, for: self)
        return try PoolingWindow.read(x, attributes, features: .all, op: self, label: "input 0 of shape \(x)")
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        TensorType(.float32, try window(inputs, attributes).outputShape)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let pooling = try! window(signature.inputs, signature.attributes)
        let divisor = try! AverageDivisor(signature.attributes, for: self)
        let x = inputs[0].values
        var y: [Double] = []
        pooling.forEachWindow { plane, oh, ow, window in
            let base = plane * pooling.inputPlane
            y.append(window.reduce(0) { $0 + x[base + $1] } / Double(divisor.value(pooling, oh, ow)))
        }
        return ReferenceTensor(signature.output, y)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let pooling = try! window(kernel.signature.inputs, kernel.signature.attributes)
        let divisor = try! AverageDivisor(kernel.signature.attributes, for: self).writeExpression(&kernel.writer, pooling)
        pooling.writeTapMajorLoops(
            &kernel.writer, input: kernel.inputs[0], output: kernel.output, initial: "0.0f", combine: { $0.line("to[k] += v;") },
            finish: { plane in
                plane.loop("oh", count: pooling.height.output) { row in
                    row.loop("ow", count: pooling.width.output) { $0.line("target[oh*\(pooling.width.output) + ow] /= \(divisor);") }
                }
            })
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        let pooling = try! window(signature.inputs, signature.attributes)
        return OperatorCost(
            flops: pooling.tapCount + pooling.outputShape.elementCount, bytesRead: signature.inputs[0].byteCount,
            bytesWritten: signature.output.byteCount)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        var attributes = context.node.attributes
        let x = context.type(of: context.input(0)).shape
        attributes["input_size"] = .ints([x[2], x[3]])
        return [try context.add("avg_pool2d_backward", [context.outputGradient], attributes: attributes)]
    }

    /// Test cases shared with `avg_pool2d_backward`.
    static var windowTestCases: [(String, Shape, Attributes)] {
        MaxPool2D.windowTestCases + [
            ("exclude-pad", [1, 2, 5, 5], ["kernel_size": .ints([3]), "stride": .ints([2]), "padding": .ints([1]), "count_include_pad": .bool(false)]),
            ("ceil-exclude-pad", [1, 1, 6, 5], ["kernel_size": .ints([3, 2]), "stride": .ints([2]), "padding": .ints([1, 1, 1, 0]), "ceil_mode": .bool(true), "count_include_pad": .bool(false)]),
            ("sum", [1, 2, 4, 4], ["kernel_size": .ints([2]), "stride": .ints([1]), "divisor_override": .int(1)]),
            ("tiled-non-square", [2, 3, 6, 9], ["kernel_size": .ints([2, 3])]),
            ("tiled-override", [1, 3, 4, 6], ["kernel_size": .ints([1, 3]), "divisor_override": .int(5)]),
            ("tiled-leftover-row", [1, 2, 5, 4], ["kernel_size": .ints([2])]),
        ]
    }

    public var testCases: [OperatorTestCase] {
        Self.windowTestCases.map { OperatorTestCase($0, inputs: [TensorType(.float32, $1)], attributes: $2) }
    }
}

/// The divisor of average pooling at each output, from `count_include_pad` and `divisor_override`.
struct AverageDivisor {
    var countIncludePad: Bool
    var override: Int?

    /// Reads the attributes of a node of `op`.
    init(_ attributes: Attributes, for op: some Operator) throws(ShapeError) {
        countIncludePad = try op.bool(attributes, "count_include_pad", default: true)
        override = attributes["divisor_override"] == nil ? nil : try op.int(attributes, "divisor_override", default: 1)
        if let override, override < 1 {
            throw ShapeError("attribute 'divisor_override' must be at least 1, got \(override)")
        }
    }

    /// The divisor of output (oh, ow).
    func value(_ pooling: PoolingWindow, _ oh: Int, _ ow: Int) -> Int {
        if let override { return override }
        if countIncludePad {
            return pooling.height.paddedTapCount(forOutput: oh) * pooling.width.paddedTapCount(forOutput: ow)
        }
        return pooling.height.taps(forOutput: oh).count * pooling.width.taps(forOutput: ow).count
    }

    /// Writes the tables the divisor needs and returns its C expression (a float) at `oh`, `ow`.
    func writeExpression(_ writer: inout CWriter, _ pooling: PoolingWindow) -> String {
        if let override { return "\(override).0f" }
        let (height, width) = (pooling.height, pooling.width)
        if countIncludePad {
            writer.table("row_divisor", (0..<height.output).map(height.paddedTapCount(forOutput:)))
            writer.table("column_divisor", (0..<width.output).map(width.paddedTapCount(forOutput:)))
        } else {
            writer.table("row_divisor", (0..<height.output).map { height.taps(forOutput: $0).count })
            writer.table("column_divisor", (0..<width.output).map { width.taps(forOutput: $0).count })
        }
        return "(float)(row_divisor[oh]*column_divisor[ow])"
    }
}
