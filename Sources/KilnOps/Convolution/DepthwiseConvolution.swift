import KilnC
import KilnIR

/// The direct depthwise convolution (one input channel per group, any channel multiplier).
///
/// Per (image, output channel) the kernel's taps are scalars and the output plane splits into an
/// interior, whose every tap reads inside the image, and a border. Interior rows are computed two
/// at a time (each input row loaded once for both output rows where their taps overlap), the taps
/// unrolled into one expression per output element, and the innermost loop runs over the output
/// width with no branch: contiguous input for stride 1, a constant stride otherwise, so
/// `cc -O3 -march=native` vectorizes it over the output columns. The border (padding) takes a
/// bounds-checked loop; it is a thin frame of the plane.
extension ConvolutionGeometry {
    /// The output positions along `axis` whose every tap reads inside the input; empty (0..<0)
    /// when there are none.
    static func interior(_ axis: WindowAxis) -> Range<Int> {
        let ranges = (0..<axis.kernel).map(axis.outputs(forTap:))
        let low = ranges.map(\.lowerBound).max() ?? 0, high = ranges.map(\.upperBound).min() ?? 0
        return low < high ? low..<high : 0..<0
    }

    /// Writes the whole depthwise convolution: `x` the input, `w` the weights, `y` the output,
    /// `bias` the C expression of the bias pointer (nil without bias).
    func writeDepthwise(_ writer: inout CWriter, x: String, w: String, y: String, bias: String?) {
        let rows = Self.interior(height), columns = Self.interior(width)
        let taps = height.kernel * width.kernel
        writer.loop("n", count: batch) { image in
            image.loop("co", count: outputChannels) { channel in
                channel.line("const float *plane = \(x) + (n*\(inputChannels) + co/\(outputChannelsPerGroup))*\(inputPlane);")
                channel.line("float *target = \(y) + (n*\(outputChannels) + co)*\(outputPlane);")
                channel.line("const float *wk = \(w) + co*\(taps);")
                channel.line("const float initial = \(bias.map { "\($0)[co]" } ?? "0.0f");")
                for tap in 0..<taps { channel.line("const float w\(tap) = wk[\(tap)];") }
                channel.block("for (long oh = 0; oh < \(height.output); oh++)") { row in
                    row.line("float *out = target + oh*\(width.output);")
                    row.line("int inside = oh >= \(rows.lowerBound) && oh < \(rows.upperBound);")
                    row.line("long inner_lo = inside ? \(columns.lowerBound) : 0, inner_hi = inside ? \(columns.upperBound) : 0;")
                    row.block("for (long ow = 0; ow < inner_lo; ow++)") { writeCheckedOutput(&$0) }
                    row.block("for (long ow = inner_hi; ow < \(width.output); ow++)") { writeCheckedOutput(&$0) }
                }
                guard !rows.isEmpty && !columns.isEmpty else { return }
                writeInterior(&channel, rows: rows)
            }
        }
    }

    /// One output element `out[ow]` of row `oh`, skipping the taps that read padding.
    private func writeCheckedOutput(_ writer: inout CWriter) {
        writer.line("float acc = initial;")
        writer.loop("ki", count: height.kernel) { kernelRow in
            let ih = CExpression.linear([("oh", height.stride), ("ki", height.dilation)], constant: -height.padBegin)
            kernelRow.line("long ih = \(ih);")
            kernelRow.line("if (ih < 0 || ih >= \(height.input)) continue;")
            kernelRow.loop("kj", count: width.kernel) { tap in
                let iw = CExpression.linear([("ow", width.stride), ("kj", width.dilation)], constant: -width.padBegin)
                tap.line("long iw = \(iw);")
                tap.line("if (iw < 0 || iw >= \(width.input)) continue;")
                tap.line("acc += wk[ki*\(width.kernel) + kj] * plane[ih*\(width.input) + iw];")
            }
        }
        writer.line("out[ow] = acc;")
    }

    /// The interior rows, `block` output rows per step (the remainder one at a time): row
    /// pointers per input row the block reads, then one branch-free loop over the columns.
    private func writeInterior(_ writer: inout CWriter, rows: Range<Int>) {
        let block = 2
        let whole = rows.lowerBound + (rows.count / block) * block
        writer.block("for (long oh = \(rows.lowerBound); oh < \(whole); oh += \(block))") { step in
            writeInteriorRows(&step, count: block)
        }
        if whole < rows.upperBound {
            writer.block("for (long oh = \(whole); oh < \(rows.upperBound); oh++)") { step in
                writeInteriorRows(&step, count: 1)
            }
        }
    }

    /// `count` interior output rows from `oh`: their row pointers and the column loop.
    private func writeInteriorRows(_ writer: inout CWriter, count: Int) {
        let columns = Self.interior(width)
        // Input rows read by output row oh + r at tap ki: (oh + r)·sh − top + ki·dh, as offsets
        // r·sh + ki·dh from the block's first row; each distinct one gets a pointer.
        var offsets: [Int] = []
        for r in 0..<count {
            for ki in 0..<height.kernel where !offsets.contains(r * height.stride + ki * height.dilation) {
                offsets.append(r * height.stride + ki * height.dilation)
            }
        }
        for offset in offsets {
            let ih = CExpression.linear([("oh", height.stride)], constant: offset - height.padBegin)
            writer.line("const float *i\(offset) = plane + (\(ih))*\(width.input);")
        }
        for r in 0..<count { writer.line("float *o\(r) = target + (oh + \(r))*\(width.output);") }
        writer.block("for (long ow = \(columns.lowerBound); ow < \(columns.upperBound); ow++)") { column in
            for r in 0..<count {
                var terms = ["initial"]
                for ki in 0..<height.kernel {
                    for kj in 0..<width.kernel {
                        let offset = r * height.stride + ki * height.dilation
                        let at = CExpression.linear([("ow", width.stride)], constant: kj * width.dilation - width.padBegin)
                        terms.append("w\(ki * width.kernel + kj)*i\(offset)[\(at)]")
                    }
                }
                column.line("o\(r)[ow] = " + terms.joined(separator: " + ") + ";")
            }
        }
    }
}
