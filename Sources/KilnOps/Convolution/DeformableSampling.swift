import KilnC
import KilnIR

/// The geometry of a deformable convolution (v1, torchvision's `deform_conv2d`): a convolution
/// whose every tap reads the input at its regular position plus a learned offset, by bilinear
/// interpolation.
///
/// Shapes: x [N, Cin, H, W], offset [N, 2·G·Kh·Kw, Hout, Wout] with G offset groups (each serves
/// Cin/G consecutive input channels; channel `2·(g·Kh·Kw + ki·Kw + kj)` holds the row offset of
/// tap (ki, kj) and the next channel its column offset), w [Cout, Cin/groups, Kh, Kw].
struct DeformableGeometry: Hashable {
    var convolution: ConvolutionGeometry
    var offsetGroups: Int

    var taps: Int { convolution.height.kernel * convolution.width.kernel }
    var offsetChannels: Int { 2 * offsetGroups * taps }

    /// Reads the geometry of a node of `op` from x, offset and w (input 0, 1, 2).
    static func read(_ inputs: [TensorType], _ attributes: Attributes, op: some Operator) throws(ShapeError) -> DeformableGeometry {
        let x = inputs[0].shape, offset = inputs[1].shape, w = inputs[2].shape
        let convolution = try ConvolutionGeometry.make(
            batch: x[0], inputChannels: x[1], inputSize: SpatialPair(x[2], x[3]), outputChannels: w[0],
            kernel: SpatialPair(w[2], w[3]), attributes: try ConvolutionAttributes(attributes, for: op),
            inputLabel: "input 0 of shape \(x)", outputLabel: "input 2 of shape \(w)", kernelLabel: "input 2 of shape \(w)")
        guard w[1] == convolution.inputChannelsPerGroup else {
            throw ShapeError(
                "input 2 has shape \(w); expected \(convolution.inputChannelsPerGroup) input channels per group in dimension 1 "
                    + "(input 0 of shape \(x), groups = \(convolution.groups))")
        }
        let perGroup = 2 * w[2] * w[3]
        let groups = offset[1] / perGroup
        guard offset[1] % perGroup == 0, groups >= 1, x[1] % groups == 0,
              offset == [x[0], offset[1], convolution.height.output, convolution.width.output] else {
            throw ShapeError(
                "input 1 has shape \(offset); expected [\(x[0]),\(perGroup)·G,\(convolution.height.output),\(convolution.width.output)]: "
                    + "\(perGroup) offsets (2·\(w[2])·\(w[3])) per offset group G, G dividing the \(x[1]) input channels, "
                    + "for each of the \(convolution.outputSize.size) output positions")
        }
        return DeformableGeometry(convolution: convolution, offsetGroups: groups)
    }

    /// One of the four input elements a bilinear sample reads: its in-plane offset, its weight,
    /// and the weight's derivatives with respect to the sampling row and column.
    struct Corner {
        var offset: Int
        var weight: Double
        var rowSlope: Double
        var columnSlope: Double
    }

    /// The corners of the bilinear sample at (`row`, `column`) of a plane, as torchvision reads
    /// them: nothing outside (−1, H) × (−1, W), and corners outside the plane count as zero.
    func corners(row: Double, column: Double) -> [Corner] {
        let height = convolution.height.input, width = convolution.width.input
        guard row > -1, row < Double(height), column > -1, column < Double(width) else { return [] }
        let top = Int(row.rounded(.down)), left = Int(column.rounded(.down))
        let down = row - Double(top), across = column - Double(left)
        let candidates = [
            (top, left, (1 - down) * (1 - across), -(1 - across), -(1 - down)),
            (top, left + 1, (1 - down) * across, -across, 1 - down),
            (top + 1, left, down * (1 - across), 1 - across, -down),
            (top + 1, left + 1, down * across, across, down),
        ]
        return candidates.compactMap { r, c, weight, rowSlope, columnSlope in
            (0..<height).contains(r) && (0..<width).contains(c)
                ? Corner(offset: r * width + c, weight: weight, rowSlope: rowSlope, columnSlope: columnSlope) : nil
        }
    }

    /// One term of the convolution sum: output (n, co, oh, ow) reads input channel `channel` at
    /// tap (ki, kj) through the sample whose offsets sit at `rowOffsetIndex` and
    /// `rowOffsetIndex + outputPlane` of the offset tensor.
    struct Term {
        var output: Int
        var weight: Int
        var inputPlane: Int
        var rowOffsetIndex: Int
        var row: Double
        var column: Double
    }

    /// Calls `body` for every term of the convolution sum, in output order.
    func forEachTerm(offsets: [Double], _ body: (Term) -> Void) {
        let g = convolution, (h, wd) = (g.height, g.width)
        let channelsPerOffsetGroup = g.inputChannels / offsetGroups
        for n in 0..<g.batch {
            for co in 0..<g.outputChannels {
                for oh in 0..<h.output {
                    for ow in 0..<wd.output {
                        let output = ((n * g.outputChannels + co) * h.output + oh) * wd.output + ow
                        for c in 0..<g.inputChannelsPerGroup {
                            let channel = co / g.outputChannelsPerGroup * g.inputChannelsPerGroup + c
                            let offsetGroup = channel / channelsPerOffsetGroup
                            for ki in 0..<h.kernel {
                                for kj in 0..<wd.kernel {
                                    let tap = ki * wd.kernel + kj
                                    let rowOffsetIndex = ((n * offsetChannels + 2 * (offsetGroup * taps + tap)) * h.output + oh) * wd.output + ow
                                    body(Term(
                                        output: output,
                                        weight: ((co * g.inputChannelsPerGroup + c) * h.kernel + ki) * wd.kernel + kj,
                                        inputPlane: (n * g.inputChannels + channel) * g.inputPlane,
                                        rowOffsetIndex: rowOffsetIndex,
                                        row: Double(h.inputIndex(output: oh, tap: ki)) + offsets[rowOffsetIndex],
                                        column: Double(wd.inputIndex(output: ow, tap: kj)) + offsets[rowOffsetIndex + g.outputPlane]))
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Bytes of the deformable im2col matrix of one image and group.
    var columnBytes: Int { convolution.columnBytes }

    /// Writes the loops over every entry (c, ki, kj, oh, ow) of the im2col matrix of image `n`,
    /// group `g`: in scope are `ci` (the input channel), `plane` (its plane in `x`, when given), `entry` (the matrix element's
    /// index), `offsetRow` (the index of its row offset; the column offset is one output plane
    /// further), and the sampling position `h`, `w` (floats). `body` runs for every entry.
    func writeEntryLoops(_ writer: inout CWriter, x: String?, offset: String, _ body: (inout CWriter) -> Void) {
        let g = convolution, (h, wd) = (g.height, g.width)
        writer.loop("c", count: g.inputChannelsPerGroup) { channel in
            channel.line("long ci = g*\(g.inputChannelsPerGroup) + c;")
            if let x { channel.line("const float *plane = \(x) + (n*\(g.inputChannels) + ci)*\(g.inputPlane);") }
            channel.line("long offsetGroup = ci/\(g.inputChannels / offsetGroups);")
            channel.loop("ki", count: h.kernel) { kernelRow in
                kernelRow.loop("kj", count: wd.kernel) { tap in
                    tap.line("long offsetBase = (n*\(offsetChannels) + 2*(offsetGroup*\(taps) + ki*\(wd.kernel) + kj))*\(g.outputPlane);")
                    tap.line("long rowBase = ((c*\(h.kernel) + ki)*\(wd.kernel) + kj)*\(g.outputPlane);")
                    tap.loop("oh", count: h.output) { outputRow in
                        let rowPosition = CExpression.linear([("oh", h.stride), ("ki", h.dilation)], constant: -h.padBegin)
                        outputRow.line("float base_h = (float)(\(rowPosition));")
                        outputRow.loop("ow", count: wd.output) { element in
                            let columnPosition = CExpression.linear([("ow", wd.stride), ("kj", wd.dilation)], constant: -wd.padBegin)
                            element.line("long p = oh*\(wd.output) + ow, entry = rowBase + p, offsetRow = offsetBase + p;")
                            element.line("float h = base_h + \(offset)[offsetRow];")
                            element.line("float w = (float)(\(columnPosition)) + \(offset)[offsetRow + \(g.outputPlane)];")
                            body(&element)
                        }
                    }
                }
            }
        }
    }

    /// Writes the bilinear corners of the sample at `h`, `w`: `inside` (whether it reads
    /// anything; outside, the position is replaced by 0 so that no huge float is converted to an
    /// integer), the corner offsets `top`, `bottom` (row offsets `·W`), `left`, `right`, the
    /// fractions `down`, `across`, and one validity flag per corner (`v00`, `v01`, `v10`, `v11`).
    /// Invalid corners are clamped to offset 0 so that every read stays inside the plane.
    func writeCorners(_ writer: inout CWriter) {
        let height = convolution.height.input, width = convolution.width.input
        writer.line("int inside = h > -1.0f && h < \(CLiteral.float(Double(height))) && w > -1.0f && w < \(CLiteral.float(Double(width)));")
        writer.line("float hs = inside ? h : 0.0f, ws = inside ? w : 0.0f;")
        writer.line("float hf = floorf(hs), wf = floorf(ws);")
        writer.line("long r0 = (long)hf, c0 = (long)wf, r1 = r0 + 1, c1 = c0 + 1;")
        writer.line("float down = hs - hf, across = ws - wf;")
        writer.line("int v00 = inside && r0 >= 0 && c0 >= 0, v01 = inside && r0 >= 0 && c1 < \(width);")
        writer.line("int v10 = inside && r1 < \(height) && c0 >= 0, v11 = inside && r1 < \(height) && c1 < \(width);")
        writer.line("long i00 = v00 ? r0*\(width) + c0 : 0, i01 = v01 ? r0*\(width) + c1 : 0;")
        writer.line("long i10 = v10 ? r1*\(width) + c0 : 0, i11 = v11 ? r1*\(width) + c1 : 0;")
    }

    /// Writes `float value` = the bilinear sample of `plane` (after `writeCorners`).
    func writeSample(_ writer: inout CWriter) {
        writer.line("float value = (1.0f - down)*((1.0f - across)*(v00 ? plane[i00] : 0.0f) + across*(v01 ? plane[i01] : 0.0f))")
        writer.line("    + down*((1.0f - across)*(v10 ? plane[i10] : 0.0f) + across*(v11 ? plane[i11] : 0.0f));")
    }
}
