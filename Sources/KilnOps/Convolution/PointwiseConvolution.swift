import KilnC
import KilnIR

/// The 1×1 convolution as GEMMs on the image, and its epilogue (bias, ReLU6, residual add) on
/// each block of columns while the block is in cache.
///
/// One `cblas_sgemm` of Cout × H·W × Cin, then a pass over the whole output, reads MobileNetV2's
/// 96×112×112 expansion back from memory after the GEMM wrote it. Split into column blocks of at
/// most `blockMACs` multiply-accumulates each, every block's product is small enough for
/// OpenBLAS's small-matrix kernels (0.3.21 takes them for M·N·K ≤ 10^6 on AVX-512 cores: no
/// packing) and its output is still in L2 when the epilogue reads it. Measured on one core
/// here, GEMM plus ReLU6: 96×12544×16 288 → 218 µs, 144×3136×24 134 → 109, 24×3136×144
/// 122 → 91, 32×784×192 52 → 40; with `OPENBLAS_CORETYPE=Haswell` (no small-matrix kernels)
/// the blocks cost about 5% more. The blocks split across threads.
extension ConvolutionGeometry {
    /// The most multiply-accumulates of one column block's GEMM.
    static let blockMACs = 1_000_000
    /// The fewest columns of a block (narrower blocks cost more in calls than they save).
    static let minimumBlockColumns = 128

    /// The columns of each block, or nil to compute the product in one call: a multiple of 16
    /// with Cout·columns·Cin ≤ `blockMACs`, at least `minimumBlockColumns`, fewer than H·W.
    var pointwiseBlockColumns: Int? {
        guard groups == 1 else { return nil }
        let columns = ConvolutionGeometry.blockMACs / (outputChannels * inputChannels) / 16 * 16
        return columns >= ConvolutionGeometry.minimumBlockColumns && columns < outputPlane ? columns : nil
    }

    /// Writes the 1×1 convolution: per image and group one GEMM, or, with `epilogue` and a
    /// block size, the column blocks each followed by the epilogue (with the bias, input
    /// `biasInput`) over its columns of every channel. Returns whether it applied the epilogue.
    func writePointwise(
        _ writer: inout CWriter, x: String, w: String, y: String, biasInput: Int?,
        epilogue: KernelContext.PlaneEpilogue?
    ) -> Bool {
        let inputGroup = inputChannelsPerGroup, outputGroup = outputChannelsPerGroup
        guard let epilogue, let columns = pointwiseBlockColumns else {
            writer.loop("n", count: batch) { image in
                image.loop("g", count: groups) { group in
                    group.line(CExpression.gemm(
                        m: outputGroup, n: outputPlane, k: inputGroup,
                        a: "\(w) + g*\(outputGroup * inputGroup)", lda: inputGroup,
                        b: "\(x) + (n*\(inputChannels) + g*\(inputGroup))*\(inputPlane)", ldb: outputPlane,
                        c: "\(y) + (n*\(outputChannels) + g*\(outputGroup))*\(outputPlane)", ldc: outputPlane))
                }
            }
            return false
        }
        let blocks = (outputPlane + columns - 1) / columns
        let bias = biasInput.map { KernelContext.DeferredBias(input: $0, axis: 1) }
        writer.loop("n", count: batch) { image in
            image.parallelLoop("block", count: blocks, elements: outputChannels * outputPlane) { block in
                block.line("const long j0 = block*\(columns);")
                block.line("const int count = j0 + \(columns) <= \(outputPlane) ? \(columns) : \(outputPlane) - (int)j0;")
                block.line(
                    "cblas_sgemm(KILN_ROW_MAJOR, KILN_NO_TRANS, KILN_NO_TRANS, \(outputChannels), count, \(inputChannels), 1.0f, "
                        + "\(w), \(inputChannels), \(x) + n*\(inputChannels * inputPlane) + j0, \(inputPlane), 0.0f, "
                        + "\(y) + n*\(outputChannels * outputPlane) + j0, \(outputPlane));")
                var channel = CWriter()
                epilogue(&channel, KernelContext.PlaneRange(image: "n", channel: "co", start: "j0", end: "j0 + count"), bias)
                if !channel.lines.isEmpty {
                    block.loop("co", count: outputChannels) { for line in channel.lines { $0.line(line) } }
                }
            }
        }
        return true
    }
}
