import KilnC
import KilnIR

/// The C pieces the convolution operators share: tap-range tables, im2col, col2im, the GEMM call
/// and the bias epilogue.
///
/// Loops are tap-major: for each kernel tap (ki, kj), the output rows `oh_lo[ki]..<oh_hi[ki]` and
/// columns `ow_lo[kj]..<ow_hi[kj]` are exactly those whose tap reads a real input element, so the
/// inner loops carry no bounds test and index with one constant stride.
extension ConvolutionGeometry {
    /// Writes the tables `oh_lo`, `oh_hi` (one entry per kernel row) and `ow_lo`, `ow_hi` (one per
    /// kernel column).
    func writeTapRanges(_ writer: inout CWriter) {
        let rows = (0..<height.kernel).map(height.outputs(forTap:))
        let columns = (0..<width.kernel).map(width.outputs(forTap:))
        writer.table("oh_lo", rows.map(\.lowerBound))
        writer.table("oh_hi", rows.map(\.upperBound))
        writer.table("ow_lo", columns.map(\.lowerBound))
        writer.table("ow_hi", columns.map(\.upperBound))
    }

    /// The most floats a kernel keeps on the stack for one zero-bordered input plane (64 KiB):
    /// a loop over channels split across threads gives each thread its own plane this way.
    static let localPlaneFloats = 16384

    /// Declares the local array `name` of `paddedHeight`×`paddedWidth` floats and fills it with
    /// the input plane at `plane`, placed at (padBegin, padBegin) inside a zero border (only the
    /// border is zeroed, so each element is written once).
    func writeLocalPaddedPlane(_ writer: inout CWriter, name: String, plane: String, paddedWidth: Int, paddedHeight: Int) {
        let top = height.padBegin, left = width.padBegin
        let bottom = max(paddedHeight - top - height.input, 0), right = max(paddedWidth - left - width.input, 0)
        writer.line("float \(name)[\(paddedHeight * paddedWidth)];")
        if top > 0 { writer.line("memset(\(name), 0, \(top * paddedWidth * 4));") }
        writer.loop("ih", count: height.input) { row in
            row.line("float *to = \(name) + (ih + \(top))*\(paddedWidth);")
            if left > 0 { row.line("memset(to, 0, \(left * 4));") }
            row.line("memcpy(to + \(left), \(plane) + ih*\(width.input), \(width.input * 4));")
            if right > 0 { row.line("memset(to + \(left + width.input), 0, \(right * 4));") }
        }
        if bottom > 0 { writer.line("memset(\(name) + \((top + height.input) * paddedWidth), 0, \(bottom * paddedWidth * 4));") }
    }

    /// Whether some tap of some output reads padding (so im2col leaves zeros in its matrix).
    var readsPadding: Bool {
        (0..<height.kernel).contains { height.outputs(forTap: $0).count != height.output }
            || (0..<width.kernel).contains { width.outputs(forTap: $0).count != width.output }
    }

    /// The C expression of the input row offset `ih·W + kj·dw − left` read by output row `oh`
    /// at tap (`ki`, `kj`): add `ow·sw` for the element of output column `ow`.
    var rowOffsetExpression: String {
        let ih = CExpression.linear([("oh", height.stride), ("ki", height.dilation)], constant: -height.padBegin)
        let column = CExpression.linear([("kj", width.dilation)], constant: -width.padBegin)
        return "(\(ih))*\(width.input) + \(column)"
    }

    /// Inside an output-row loop (`oh`, with `base` declared), writes the segment of the row that
    /// tap `kj` reads inside the image: `count` outputs, the first reading input offset `first`
    /// (in the plane) and writing output offset `start`; the k-th reads `first + k·sw`
    /// (`segmentStep`) and writes `start + k`. In a band of output rows (`banded`) the matrix
    /// starts at row `oh0`.
    func writeRowSegment(_ writer: inout CWriter, banded: Bool = false) {
        writer.line("long count = ow_hi[kj] - ow_lo[kj];")
        let first = CExpression.linear([("ow_lo[kj]", width.stride)], constant: 0)
        writer.line("long first = base + \(first), start = \(banded ? "(oh - oh0)" : "oh")*\(width.output) + ow_lo[kj];")
    }

    /// The C expression `k·sw`: the input step along a row segment.
    var segmentStep: String { CExpression.linear([("k", width.stride)], constant: 0) }

    /// Writes the im2col copy of one image group (`Cin/groups` planes at `image`) into the
    /// [patchSize, Hout·Wout] matrix at `column`. Positions that read padding are not written:
    /// the caller zeroes the matrix once when `readsPadding`. With a column stride of 1 each row
    /// segment is one `memcpy`. The channels split across threads unless `parallel` is false
    /// (inside a loop already split, `writeImageLanes`). With `banded`, only output rows
    /// `oh0..<oh1` (C variables in scope, `columns` their Hout·Wout count) go into a
    /// [patchSize, columns] matrix.
    func writeIm2col(_ writer: inout CWriter, image: String, column: String, parallel: Bool = true, banded: Bool = false) {
        writePatchLoops(&writer, parallel: parallel, banded: banded) { row in
            writeRowSegment(&row, banded: banded)
            if width.stride == 1 {
                row.line("memcpy(row + start, \(image) + plane + first, (size_t)count*sizeof(float));")
                return
            }
            row.line("const float *from = \(image) + plane + first;")
            row.line("float *to = row + start;")
            row.block("for (long k = 0; k < count; k++)") { $0.line("to[k] = from[\(segmentStep)];") }
        }
    }

    /// Writes the col2im scatter: adds each element of the [patchSize, Hout·Wout] matrix at
    /// `column` into the image group at `image` (which the caller has zeroed), the channels split
    /// across threads unless `parallel` is false.
    func writeCol2im(_ writer: inout CWriter, column: String, image: String, parallel: Bool = true) {
        writePatchLoops(&writer, constant: true, matrix: column, parallel: parallel) { row in
            writeRowSegment(&row)
            row.line("const float *from = row + start;")
            row.line("float *to = \(image) + plane + first;")
            row.block("for (long k = 0; k < count; k++)") { $0.line("to[\(segmentStep)] += from[k];") }
        }
    }

    /// The loops over (channel, ki, kj, oh) that im2col and col2im share; `body` writes the
    /// work of one output row with `plane`, `base`, `row`, `oh` and the tap (`ki`, `kj`) in scope.
    /// The channels split across threads: each owns its rows of the matrix and its input plane.
    /// `banded` keeps the output rows to `oh0..<oh1` in a matrix of `columns` columns.
    private func writePatchLoops(
        _ writer: inout CWriter, constant: Bool = false, matrix: String = "column", parallel: Bool = true,
        banded: Bool = false, _ body: (inout CWriter) -> Void
    ) {
        let rowType = constant ? "const float *" : "float *"
        let columns = banded ? "columns" : String(outputPlane)
        let elements = parallel ? patchSize * (banded ? bandRows * width.output : outputPlane) : 0
        writer.parallelLoop("c", count: inputChannelsPerGroup, elements: elements) { channel in
            channel.line("long plane = c*\(inputPlane);")
            channel.loop("ki", count: height.kernel) { kernelRow in
                kernelRow.loop("kj", count: width.kernel) { tap in
                    tap.line("\(rowType)row = \(matrix) + ((c*\(height.kernel) + ki)*\(width.kernel) + kj)*\(columns);")
                    let rows = banded
                        ? "long oh = oh_lo[ki] > oh0 ? oh_lo[ki] : oh0, end = oh_hi[ki] < oh1 ? oh_hi[ki] : oh1; oh < end; oh++"
                        : "long oh = oh_lo[ki]; oh < oh_hi[ki]; oh++"
                    tap.block("for (\(rows))") { outputRow in
                        outputRow.line("long base = \(rowOffsetExpression);")
                        body(&outputRow)
                    }
                }
            }
        }
    }

    /// Writes `output[n, c, :, :] += bias[c]` over `batch` images of `channels` planes of `plane`
    /// elements.
    static func writeBiasAdd(
        _ writer: inout CWriter, bias: String, output: String, batch: Int, channels: Int, plane: Int
    ) {
        writer.loop("n", count: batch) { image in
            image.loop("c", count: channels) { channel in
                channel.line("float b = \(bias)[c];")
                channel.line("float *target = \(output) + (n*\(channels) + c)*\(plane);")
                channel.loop("p", count: plane) { $0.line("target[p] += b;") }
            }
        }
    }
}

/// Small builders of C expression text.
enum CExpression {
    /// `name0*factor0 + name1*factor1 + constant`, leaving out zero terms and unit factors.
    static func linear(_ terms: [(String, Int)], constant: Int) -> String {
        var parts = terms.compactMap { name, factor -> String? in
            factor == 0 ? nil : (factor == 1 ? name : "\(name)*\(factor)")
        }
        var text = parts.isEmpty ? "" : parts.removeFirst()
        for part in parts { text += " + \(part)" }
        if text.isEmpty { return String(constant) }
        if constant > 0 { text += " + \(constant)" }
        if constant < 0 { text += " - \(-constant)" }
        return text
    }

    /// A `cblas_sgemm` call in row-major order: C = alpha·op(A)·op(B) + beta·C with alpha 1.
    static func gemm(
        transposeA: Bool = false, transposeB: Bool = false, m: Int, n: some CustomStringConvertible, k: Int,
        a: String, lda: Int, b: String, ldb: some CustomStringConvertible, beta: String = "0.0f", c: String, ldc: Int
    ) -> String {
        "cblas_sgemm(KILN_ROW_MAJOR, \(transposeA ? "KILN_TRANS" : "KILN_NO_TRANS"), "
            + "\(transposeB ? "KILN_TRANS" : "KILN_NO_TRANS"), \(m), \(n), \(k), 1.0f, \(a), \(lda), "
            + "\(b), \(ldb), \(beta), \(c), \(ldc));"
    }
}
