import KilnC

/// im2col + GEMM a band of output rows at a time, so that the patch matrix (the scratch) stays
/// bounded: ResNet-18's first convolution (7×7 stride 2 on 224×224) needs a 7.4 MB matrix at
/// once, more than all its activations; in bands of 7 output rows it needs 461 KB. Each band's
/// GEMM writes its rows of every output channel (`ldc` = Hout·Wout), so the output is the same.
///
/// A band holds the rows whose matrix fits in `bandBudgetBytes`, but at least
/// `bandMinimumColumns` GEMM columns (narrower products waste the GEMM's micro-tiles and repack
/// the weights too often); a convolution whose whole matrix fits keeps the single GEMM.
extension ConvolutionGeometry {
    /// The patch matrix of one band stays under this many bytes when the minimum allows it.
    static let bandBudgetBytes = 512 << 10
    /// The fewest GEMM columns (band rows × Wout) of a band.
    static let bandMinimumColumns = 256

    /// Output rows per band (Hout when the whole matrix is one band).
    var bandRows: Int {
        let rowBytes = patchSize * width.output * 4
        let fitting = Self.bandBudgetBytes / rowBytes
        let minimum = (Self.bandMinimumColumns + width.output - 1) / width.output
        return min(max(fitting, minimum, 1), height.output)
    }

    /// Bytes of the forward convolution's scratch: the patch matrix of one band.
    var bandColumnBytes: Int { patchSize * bandRows * width.output * 4 }

    /// Writes im2col + GEMM of the forward convolution of `x` with `w` into `y`, per image and
    /// group, a band of `bandRows` output rows at a time through the matrix at `scratch`
    /// (the tap-range tables must be in scope).
    func writeBandedIm2colGEMM(_ writer: inout CWriter, x: String, w: String, y: String, scratch: String) {
        let inputGroup = inputChannelsPerGroup, outputGroup = outputChannelsPerGroup
        writer.line("float *column = (float *)\(scratch);")
        let banded = bandRows < height.output
        if readsPadding && !banded { writer.line("memset(column, 0, \(columnBytes));") }
        writer.loop("n", count: batch) { image in
            image.loop("g", count: groups) { group in
                group.line("const float *image = \(x) + (n*\(inputChannels) + g*\(inputGroup))*\(inputPlane);")
                let output = "\(y) + (n*\(outputChannels) + g*\(outputGroup))*\(outputPlane)"
                let weights = "\(w) + g*\(outputGroup * patchSize)"
                guard banded else {
                    writeIm2col(&group, image: "image", column: "column")
                    group.line(CExpression.gemm(
                        m: outputGroup, n: outputPlane, k: patchSize, a: weights, lda: patchSize, b: "column",
                        ldb: outputPlane, c: output, ldc: outputPlane))
                    return
                }
                group.block("for (long oh0 = 0; oh0 < \(height.output); oh0 += \(bandRows))") { band in
                    band.line("long oh1 = oh0 + \(bandRows) < \(height.output) ? oh0 + \(bandRows) : \(height.output);")
                    band.line("long columns = (oh1 - oh0)*\(width.output);")
                    // Which entries read padding differs between bands: zero each band's matrix.
                    if readsPadding { band.line("memset(column, 0, (size_t)columns*\(patchSize * 4));") }
                    writeIm2col(&band, image: "image", column: "column", banded: true)
                    band.line(CExpression.gemm(
                        m: outputGroup, n: "columns", k: patchSize, a: weights, lda: patchSize, b: "column",
                        ldb: "columns", c: "\(output) + oh0*\(width.output)", ldc: outputPlane))
                }
            }
        }
    }
}
