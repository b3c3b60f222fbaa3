import KilnC
import KilnIR

/// The sliding window of a 2-D pooling operator over an NCHW tensor, read from the attributes
/// `kernel_size` [kh, kw] (required), `stride` [sh, sw] (default: the kernel size), and, where the
/// operator allows them, `padding` [top, left, bottom, right] (default 0), `dilation` [dh, dw]
/// (default 1) and `ceil_mode` (default false: the output size rounds down; true: it rounds up,
/// as PyTorch does, keeping only windows that start inside the input or the leading padding).
///
/// Every window must hold at least one input element; padding never contributes a value.
struct PoolingWindow: Hashable {
    var batch: Int
    var channels: Int
    var height: WindowAxis
    var width: WindowAxis

    /// The optional attributes an operator accepts.
    struct Features: OptionSet, Hashable {
        let rawValue: Int
        static let padding = Features(rawValue: 1)
        static let dilation = Features(rawValue: 2)
        static let ceilMode = Features(rawValue: 4)
        static let all: Features = [.padding, .dilation, .ceilMode]
    }

    /// N·C: the number of planes pooled independently.
    var planes: Int { batch * channels }
    var inputPlane: Int { height.input * width.input }
    var outputPlane: Int { height.output * width.output }
    var inputShape: Shape { [batch, channels, height.input, width.input] }
    var outputShape: Shape { [batch, channels, height.output, width.output] }

    /// Reads the window of a node of `op` for an input of `shape` (`label` names it in errors,
    /// e.g. `input 0 of shape [1,1,4,4]`); attributes outside `features` are rejected.
    static func read(
        _ shape: Shape, _ attributes: Attributes, features: Features, op: some Operator, label: String
    ) throws(ShapeError) -> PoolingWindow {
        for (name, feature) in [("padding", Features.padding), ("dilation", .dilation), ("ceil_mode", .ceilMode)]
        where attributes[name] != nil && !features.contains(feature) {
            throw ShapeError("\(op.mnemonic) does not take attribute '\(name)'")
        }
        let kernel = try SpatialPair.read(attributes, "kernel_size", default: nil, minimum: 1, op: op)
        let stride = try SpatialPair.read(attributes, "stride", default: kernel, minimum: 1, op: op)
        let padding = try SpatialPadding.read(attributes, op: op)
        let dilation = try SpatialPair.read(attributes, "dilation", default: SpatialPair(1, 1), minimum: 1, op: op)
        let ceilMode = try op.bool(attributes, "ceil_mode", default: false)
        let height = WindowAxis(
            input: shape[2], kernel: kernel.height, stride: stride.height, padBegin: padding.top,
            padEnd: padding.bottom, dilation: dilation.height, ceilMode: ceilMode)
        let width = WindowAxis(
            input: shape[3], kernel: kernel.width, stride: stride.width, padBegin: padding.left,
            padEnd: padding.right, dilation: dilation.width, ceilMode: ceilMode)
        guard height.output >= 1 && width.output >= 1 else {
            let padded = SpatialPair(shape[2] + padding.top + padding.bottom, shape[3] + padding.left + padding.right)
            throw ShapeError(
                "\(label) padded to \(padded.size) is smaller than the dilated window \(SpatialPair(height.span, width.span).size)")
        }
        for (axis, name) in [(height, "row"), (width, "column")] {
            if let empty = axis.firstOutputInPadding {
                throw ShapeError(
                    "\(label): the window of output \(name) \(empty) lies in the padding \(padding); "
                        + "padding must be at most half the window")
            }
        }
        return PoolingWindow(batch: shape[0], channels: shape[1], height: height, width: width)
    }

    /// The in-plane offsets `ih·W + iw` of the input elements in output (oh, ow)'s window, in
    /// row-major tap order (the order that breaks ties of max pooling).
    func window(_ oh: Int, _ ow: Int) -> [Int] {
        var offsets: [Int] = []
        for ki in height.taps(forOutput: oh) {
            for kj in width.taps(forOutput: ow) {
                offsets.append(height.inputIndex(output: oh, tap: ki) * width.input + width.inputIndex(output: ow, tap: kj))
            }
        }
        return offsets
    }

    /// Calls `body(plane, oh, ow, window offsets)` for every output element, planes outermost;
    /// `plane · outputPlane + oh · Wout + ow` is the output's offset.
    func forEachWindow(_ body: (Int, Int, Int, [Int]) -> Void) {
        for plane in 0..<planes {
            for oh in 0..<height.output {
                for ow in 0..<width.output { body(plane, oh, ow, window(oh, ow)) }
            }
        }
    }

    /// Writes the loops over every window, planes outermost, with `plane` and the output's
    /// in-plane offset `o = oh·Wout + ow` in scope. `begin` opens a window and `end` closes it;
    /// `each` runs per element of the window, which it sees as `v` (read from `input`'s plane, when
    /// an input is given) and, when `needsIndex`, as its in-plane offset `index`.
    /// The tables `row_start`/`row_taps`/`column_start`/`column_taps` hold each output's first
    /// input position and its number of taps inside the input, so the loops test no bounds.
    func writeWindowLoops(
        _ writer: inout CWriter, input: String?, needsIndex: Bool = false,
        begin: (inout CWriter) -> Void, each: (inout CWriter) -> Void, end: (inout CWriter) -> Void
    ) {
        let rows = (0..<height.output).map(height.taps(forOutput:))
        let columns = (0..<width.output).map(width.taps(forOutput:))
        writer.table("row_start", rows.enumerated().map { height.inputIndex(output: $0, tap: $1.lowerBound) })
        writer.table("row_taps", rows.map(\.count))
        writer.table("column_start", columns.enumerated().map { width.inputIndex(output: $0, tap: $1.lowerBound) })
        writer.table("column_taps", columns.map(\.count))
        let offset = width.dilation == 1 ? "j" : "j*\(width.dilation)"
        writer.loop("plane", count: planes) { plane in
            if let input { plane.line("const float *source = \(input) + plane*\(inputPlane);") }
            plane.loop("oh", count: height.output) { row in
                row.loop("ow", count: width.output) { column in
                    column.line("long o = oh*\(width.output) + ow;")
                    begin(&column)
                    column.block("for (long i = 0; i < row_taps[oh]; i++)") { taps in
                        taps.line("long first = (row_start[oh] + \(CExpression.linear([("i", height.dilation)], constant: 0)))*\(width.input) + column_start[ow];")
                        taps.block("for (long j = 0; j < column_taps[ow]; j++)") { tap in
                            if input != nil { tap.line("float v = source[first + \(offset)];") }
                            if needsIndex { tap.line("long index = first + \(offset);") }
                            each(&tap)
                        }
                    }
                    end(&column)
                }
            }
        }
    }

    /// Writes tap-major loops, the fast form for poolings that fold their window in any order:
    /// per plane, the output plane `target` (of `output`) is set to `initial`; then for every tap
    /// (ki, kj) and every output row, the segment of outputs whose tap reads inside the input is
    /// folded with `combine` (statements on `to[k]` and the input value `v`); `finish` runs per
    /// plane afterwards. The output ranges come from tables, so the inner loop has no bounds test.
    /// The planes split across threads (each writes only its own output plane).
    func writeTapMajorLoops(
        _ writer: inout CWriter, input: String, output: String, initial: String,
        combine: (inout CWriter) -> Void, finish: (inout CWriter) -> Void = { _ in }
    ) {
        let rows = (0..<height.kernel).map(height.outputs(forTap:))
        let columns = (0..<width.kernel).map(width.outputs(forTap:))
        writer.table("oh_lo", rows.map(\.lowerBound))
        writer.table("oh_hi", rows.map(\.upperBound))
        writer.table("ow_lo", columns.map(\.lowerBound))
        writer.table("ow_hi", columns.map(\.upperBound))
        let rowStart = CExpression.linear([("oh", height.stride), ("ki", height.dilation)], constant: -height.padBegin)
        let columnStart = CExpression.linear([("ow_lo[kj]", width.stride), ("kj", width.dilation)], constant: -width.padBegin)
        writer.parallelLoop("plane", count: planes, elements: planes * max(inputPlane, outputPlane)) { plane in
            plane.line("const float *source = \(input) + plane*\(inputPlane);")
            plane.line("float *target = \(output) + plane*\(outputPlane);")
            plane.loop("p", count: outputPlane) { $0.line("target[p] = \(initial);") }
            plane.loop("ki", count: height.kernel) { kernelRow in
                kernelRow.loop("kj", count: width.kernel) { tap in
                    tap.line("long count = ow_hi[kj] - ow_lo[kj];")
                    tap.block("for (long oh = oh_lo[ki]; oh < oh_hi[ki]; oh++)") { row in
                        row.line("const float *from = source + (\(rowStart))*\(width.input) + \(columnStart);")
                        row.line("float *to = target + oh*\(width.output) + ow_lo[kj];")
                        row.block("for (long k = 0; k < count; k++)") { body in
                            body.line("float v = from[\(CExpression.linear([("k", width.stride)], constant: 0))];")
                            combine(&body)
                        }
                    }
                }
            }
            finish(&plane)
        }
    }

    /// The number of input elements all windows read together (the comparisons or additions of
    /// a pooling pass).
    var tapCount: Int {
        planes * height.realTapCount * width.realTapCount
    }
}

extension GradientContext {
    /// The window attributes of the forward node that a sum over its windows needs.
    private var windowAttributes: Attributes {
        var attributes: Attributes = ["divisor_override": .int(1)]
        for name in ["kernel_size", "stride"] { attributes[name] = node.attributes[name] }
        return attributes
    }

    /// The sum of `value` over each window of the forward node (`avg_pool2d` with
    /// `divisor_override` 1), for gradient rules of poolings without padding.
    mutating func windowSum(_ value: NodeID) throws(KilnError) -> NodeID {
        try add("avg_pool2d", [value], attributes: windowAttributes)
    }

    /// The transpose of `windowSum`: each element of `value` (one per window) added to every
    /// input position of its window, giving a tensor of the forward node's input shape.
    mutating func windowSumTranspose(_ value: NodeID) throws(KilnError) -> NodeID {
        let x = type(of: input(0)).shape
        var attributes = windowAttributes
        attributes["input_size"] = .ints([x[2], x[3]])
        return try add("avg_pool2d_backward", [value], attributes: attributes)
    }
}
