import KilnC
import KilnIR

/// The direct depthwise convolution (one input channel per group, any channel multiplier).
///
/// Per (image, output channel) the taps are scalars. When some tap reads padding, the input
/// plane is first copied into a zero-bordered plane in scratch (one `memcpy` per row; about 13 KiB
/// for 56×56, so it stays in L1/L2), after which no output reads outside its source: every row is
/// computed by one branch-free loop over the output width, the taps unrolled into one expression
/// per element, two output rows per step (the input rows the two share are read through the same
/// pointers). The innermost loop is contiguous for stride 1 and has a constant stride otherwise,
/// so `cc -O3 -march=native` vectorizes it over the output columns. Measured on MobileNetV2's
/// 144×56×56 layer, the earlier split into an interior loop and a bounds-checked border spent most
/// of its time in the border's scalar taps; the padded copy costs one L1-resident copy per
/// input element instead. Outputs narrower than `flatDepthwiseWidth` use the flat loop over
/// phase planes instead (`writeFlatDepthwisePlane`). The kernel's fused epilogue (ReLU6, a
/// residual add) runs on each block of rows just written, while it is in L1.
extension ConvolutionGeometry {
    /// The padded plane's width and height: the input with its padding on both sides.
    private var paddedWidth: Int { width.input + width.padBegin + width.padEnd }
    private var paddedHeight: Int { height.input + height.padBegin + height.padEnd }

    /// Whether each input channel's padded plane lives on the stack of the thread computing it
    /// (small planes), so that channels split across threads; otherwise one plane in scratch,
    /// and the channels run in turn.
    private var depthwisePlaneIsLocal: Bool { paddedWidth * paddedHeight <= ConvolutionGeometry.localPlaneFloats }

    /// Scratch of the depthwise kernel: one padded input plane when a tap reads padding and the
    /// plane is too large for the stack.
    var depthwiseScratchBytes: Int {
        readsPadding && !depthwisePlaneIsLocal && !usesFlatDepthwise ? paddedWidth * paddedHeight * 4 : 0
    }

    /// Writes the whole depthwise convolution: `x` the input, `w` the weights, `y` the output,
    /// `bias` the bias pointer (nil without bias), `scratch` the scratch pointer. The input
    /// channels split across threads (each computes the outputs of its channel) unless the
    /// padded plane must be the one in scratch. With `epilogue`, applies it to every output
    /// (and returns true).
    func writeDepthwise(
        _ writer: inout CWriter, x: String, w: String, y: String, bias: String?, scratch: String,
        epilogue: KernelContext.PlaneEpilogue? = nil
    ) -> Bool {
        let taps = height.kernel * width.kernel
        let flat = usesFlatDepthwise
        let sourceWidth = readsPadding ? paddedWidth : width.input
        let shared = readsPadding && !depthwisePlaneIsLocal && !flat
        func applyEpilogue(_ writer: inout CWriter, from start: String, to end: String) {
            epilogue?(&writer, KernelContext.PlaneRange(image: "n", channel: "co", start: start, end: end), nil)
        }
        if shared {
            writer.line("float *padded = (float *)\(scratch);")
            writer.line("memset(padded, 0, \(depthwiseScratchBytes));")
        }
        writer.loop("n", count: batch) { image in
            let channels: (inout CWriter) -> Void = { channel in
                channel.line("const float *plane = \(x) + (n*\(inputChannels) + ci)*\(inputPlane);")
                if shared {
                    channel.loop("ih", count: height.input) { row in
                        row.line("memcpy(padded + (ih + \(height.padBegin))*\(paddedWidth) + \(width.padBegin), "
                            + "plane + ih*\(width.input), \(width.input * 4));")
                    }
                } else if flat {
                    writeDepthwisePhases(&channel)
                } else if readsPadding {
                    writeLocalPaddedPlane(&channel, name: "padded", plane: "plane", paddedWidth: paddedWidth, paddedHeight: paddedHeight)
                }
                if !flat { channel.line("const float *source = \(readsPadding ? "padded" : "plane");") }
                // The plane serves all the channel's multiplier outputs.
                channel.loop("m", count: outputChannelsPerGroup) { output in
                    output.line("long co = ci*\(outputChannelsPerGroup) + m;")
                    output.line("float *target = \(y) + (n*\(outputChannels) + co)*\(outputPlane);")
                    output.line("const float *wk = \(w) + co*\(taps);")
                    output.line("const float initial = \(bias.map { "\($0)[co]" } ?? "0.0f");")
                    for tap in 0..<taps { output.line("const float w\(tap) = wk[\(tap)];") }
                    if flat {
                        writeFlatDepthwisePlane(&output)
                        applyEpilogue(&output, from: "0", to: "\(outputPlane)")
                        return
                    }
                    let block = 2, whole = (height.output / block) * block
                    if whole > 0 {
                        output.block("for (long oh = 0; oh < \(whole); oh += \(block))") { rows in
                            writeRows(&rows, count: block, sourceWidth)
                            applyEpilogue(&rows, from: "oh*\(width.output)", to: "(oh + \(block))*\(width.output)")
                        }
                    }
                    if whole < height.output {
                        output.block("for (long oh = \(whole); oh < \(height.output); oh++)") { rows in
                            writeRows(&rows, count: 1, sourceWidth)
                            applyEpilogue(&rows, from: "oh*\(width.output)", to: "(oh + 1)*\(width.output)")
                        }
                    }
                }
            }
            if shared {
                image.loop("ci", count: inputChannels, channels)
            } else {
                image.parallelLoop("ci", count: inputChannels, elements: outputChannels * outputPlane * taps, channels)
            }
        }
        return epilogue != nil
    }

    /// `count` output rows from `oh`: a pointer per source row they read, then the column loop.
    /// Source row of output row oh + r at tap ki: (oh + r)·sh + ki·dh (padded coordinates).
    private func writeRows(_ writer: inout CWriter, count: Int, _ sourceWidth: Int) {
        var offsets: [Int] = []
        for r in 0..<count {
            for ki in 0..<height.kernel where !offsets.contains(r * height.stride + ki * height.dilation) {
                offsets.append(r * height.stride + ki * height.dilation)
            }
        }
        for offset in offsets {
            let row = CExpression.linear([("oh", height.stride)], constant: offset)
            writer.line("const float *i\(offset) = source + (\(row))*\(sourceWidth);")
        }
        for r in 0..<count { writer.line("float *o\(r) = target + (oh + \(r))*\(width.output);") }
        writer.block("for (long ow = 0; ow < \(width.output); ow++)") { column in
            for r in 0..<count {
                var terms = ["initial"]
                for ki in 0..<height.kernel {
                    for kj in 0..<width.kernel {
                        let at = CExpression.linear([("ow", width.stride)], constant: kj * width.dilation)
                        terms.append("w\(ki * width.kernel + kj)*i\(r * height.stride + ki * height.dilation)[\(at)]")
                    }
                }
                column.line("o\(r)[ow] = " + terms.joined(separator: " + ") + ";")
            }
        }
    }
}
