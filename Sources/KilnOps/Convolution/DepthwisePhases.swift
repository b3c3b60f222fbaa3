import KilnC
import KilnIR

/// The depthwise convolution of small output planes as one flat loop per plane.
///
/// A row-by-row loop over an output only 7 or 14 wide leaves most of a 16-float vector empty
/// (and the compiler's remainder loop scalar). Instead the input plane is copied into `sh·sw`
/// phase planes of `Hq×Wq` floats on the stack, phase (a, b) holding the zero-padded input at
/// rows `sh·i + a` and columns `sw·j + b`, so that tap (ki, kj) of output (oh, ow) reads phase
/// (ki·dh mod sh, kj·dw mod sw) at (oh + ⌊ki·dh/sh⌋, ow + ⌊kj·dw/sw⌋): unit steps along both
/// axes, whatever the stride. With the rows `Wq` apart, output (oh, ow) sits at `q = oh·Wq + ow`
/// of one contiguous loop whose taps are constant offsets; the `Wq − Wout` columns past each row
/// are computed and dropped when the rows are copied out (at stride 1 a phase is the padded
/// plane; without padding the input itself).
extension ConvolutionGeometry {
    /// Rows and columns of each phase plane.
    private var phaseHeight: Int { height.output + (height.kernel - 1) * height.dilation / height.stride }
    private var phaseWidth: Int { width.output + (width.kernel - 1) * width.dilation / width.stride }
    private var phaseCount: Int { height.stride * width.stride }

    /// Whether the input plane itself serves as the one phase (stride 1, no padding read, rows as wide).
    private var inputIsPhase: Bool {
        phaseCount == 1 && height.padBegin == 0 && width.padBegin == 0 && phaseWidth == width.input
            && phaseHeight <= height.input
    }

    /// The output width below which `writeDepthwise` uses the flat loop.
    static let flatDepthwiseWidth = 32

    /// Whether the flat loop computes this depthwise convolution: narrow outputs whose phase
    /// planes and output plane fit on the stack.
    var usesFlatDepthwise: Bool {
        width.output < ConvolutionGeometry.flatDepthwiseWidth
            && phaseCount * phaseHeight * phaseWidth <= ConvolutionGeometry.localPlaneFloats
            && height.output * phaseWidth <= ConvolutionGeometry.localPlaneFloats
    }

    /// The phase and offset within it of tap (`ki`, `kj`).
    private func phaseTap(_ ki: Int, _ kj: Int) -> (phase: Int, offset: Int) {
        let rowPhase = ki * height.dilation % height.stride, columnPhase = kj * width.dilation % width.stride
        let offset = ki * height.dilation / height.stride * phaseWidth + kj * width.dilation / width.stride
        return (rowPhase * width.stride + columnPhase, offset)
    }

    /// The half-open range of `i` in 0..<count with `step·i + phase − pad` inside 0..<size.
    private static func valid(count: Int, step: Int, phase: Int, pad: Int, size: Int) -> Range<Int> {
        func ceilDiv(_ a: Int, _ b: Int) -> Int { a <= 0 ? -((-a) / b) : (a + b - 1) / b }
        let lower = min(max(ceilDiv(pad - phase, step), 0), count)
        let upper = max(min(ceilDiv(size + pad - phase, step), count), lower)
        return lower..<upper
    }

    /// Inside the loop over input channels (`plane` the input plane of channel `ci` of image
    /// `n`): declares `phases` and fills the phases the taps read (only their zero border is
    /// zeroed), unless the input plane is the phase.
    func writeDepthwisePhases(_ writer: inout CWriter) {
        if inputIsPhase {
            writer.line("const float *phases = plane;")
            return
        }
        let rows = phaseHeight, columns = phaseWidth
        writer.line("float phases[\(phaseCount * rows * columns)];")
        var used = Set<Int>()
        for ki in 0..<height.kernel { for kj in 0..<width.kernel { used.insert(phaseTap(ki, kj).phase) } }
        for phase in used.sorted() {
            let a = phase / width.stride, b = phase % width.stride
            let rowRange = Self.valid(count: rows, step: height.stride, phase: a, pad: height.padBegin, size: height.input)
            let columnRange = Self.valid(count: columns, step: width.stride, phase: b, pad: width.padBegin, size: width.input)
            let base = phase * rows * columns
            if rowRange.lowerBound > 0 { writer.line("memset(phases + \(base), 0, \(rowRange.lowerBound * columns * 4));") }
            if rowRange.upperBound < rows {
                writer.line("memset(phases + \(base + rowRange.upperBound * columns), 0, \((rows - rowRange.upperBound) * columns * 4));")
            }
            guard !rowRange.isEmpty else { continue }
            writer.block("for (long i = \(rowRange.lowerBound); i < \(rowRange.upperBound); i++)") { row in
                let sourceRow = CExpression.linear([("i", height.stride)], constant: a - height.padBegin)
                row.line("float *to = phases + \(base) + i*\(columns);")
                row.line("const float *from = plane + (\(sourceRow))*\(width.input);")
                if columnRange.lowerBound > 0 { row.line("memset(to, 0, \(columnRange.lowerBound * 4));") }
                if columnRange.upperBound < columns {
                    row.line("memset(to + \(columnRange.upperBound), 0, \((columns - columnRange.upperBound) * 4));")
                }
                guard !columnRange.isEmpty else { return }
                let first = columnRange.lowerBound * width.stride + b - width.padBegin
                if width.stride == 1 {
                    row.line("memcpy(to + \(columnRange.lowerBound), from + \(first), \(columnRange.count * 4));")
                } else {
                    let from = CExpression.linear([("j", width.stride)], constant: b - width.padBegin)
                    row.block("for (long j = \(columnRange.lowerBound); j < \(columnRange.upperBound); j++)") {
                        $0.line("to[j] = from[\(from)];")
                    }
                }
            }
        }
    }

    /// Inside the loop over a channel's outputs (`target`, `initial` and the taps `w0...` in
    /// scope): the flat loop over the output plane, then (when the phase rows are wider than the
    /// output's) the rows copied into `target`.
    func writeFlatDepthwisePlane(_ writer: inout CWriter) {
        let columns = phaseWidth
        let count = (height.output - 1) * columns + width.output
        let compact = columns == width.output
        if !compact { writer.line("float flat[\(height.output * columns)];") }
        let result = compact ? "target" : "flat"
        writer.block("for (long q = 0; q < \(count); q++)") { loop in
            var terms = ["initial"]
            for ki in 0..<height.kernel {
                for kj in 0..<width.kernel {
                    let tap = phaseTap(ki, kj)
                    let at = tap.phase * phaseHeight * columns + tap.offset
                    terms.append("w\(ki * width.kernel + kj)*phases[q\(at == 0 ? "" : " + \(at)")]")
                }
            }
            loop.line("\(result)[q] = " + terms.joined(separator: " + ") + ";")
        }
        if !compact {
            writer.loop("oh", count: height.output) {
                $0.line("memcpy(target + oh*\(width.output), flat + oh*\(columns), \(width.output * 4));")
            }
        }
    }
}
