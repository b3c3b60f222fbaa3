import KilnC

/// How the images of a batch split across threads in the im2col convolution kernels: a fixed
/// number of lanes, each with its own im2col matrix in scratch and a contiguous run of images,
/// the lanes split across cores (`KILN_PARALLEL_FOR`). A lane's GEMMs then run inside the
/// parallel region, each one serial OpenBLAS call: LeNet's per-image products (6×784×25) are too
/// small for OpenBLAS to thread, so a batch of 64 otherwise ran on one core. The lane count is
/// fixed at code generation, not taken from the thread count, so every image is computed by the
/// same code at any thread count and the results are bit-identical.
extension ConvolutionGeometry {
    /// The most lanes (enough for the cores the suite runs on, with slack for balance).
    static let maximumImageLanes = 8

    /// The most bytes the lanes' im2col matrices take together, beyond which there are fewer lanes.
    static let imageLaneBytes = 4 << 20

    /// The lanes of a batch: 1 (the images in order on the calling thread) for one image or a
    /// kernel too small to split (`ParallelLoop.isParallel` over its MACs), else up to
    /// `maximumImageLanes`, as many as `imageLaneBytes` of im2col matrices allow.
    var imageLanes: Int {
        guard batch > 1, ParallelLoop.isParallel(elements: macs) else { return 1 }
        return max(1, min(batch, Self.maximumImageLanes, Self.imageLaneBytes / max(columnBytes, 1)))
    }

    /// Writes the loop over images with `column` (the lane's im2col matrix, inside the scratch
    /// matrices at `columns`) and `n` (the image) in scope for `body`, which writes one image's
    /// work. `perLane` writes each lane's declarations first, given the C expression of the lane's
    /// index (nil with one lane). With one lane this is the plain loop over images.
    func writeImageLanes(
        _ writer: inout CWriter, columns: String, perLane: (inout CWriter, String?) -> Void = { _, _ in },
        _ body: (inout CWriter) -> Void
    ) {
        let lanes = imageLanes
        guard lanes > 1 else {
            writer.line("float *column = \(columns);")
            perLane(&writer, nil)
            writer.loop("n", count: batch, body)
            return
        }
        writer.line("KILN_PARALLEL_FOR")
        writer.loop("lane", count: lanes) { lane in
            lane.line("float *column = \(columns) + lane*\(columnBytes / 4);")
            perLane(&lane, "lane")
            lane.block("for (long n = lane*\(batch)/\(lanes); n < (lane + 1)*\(batch)/\(lanes); n++)", body)
        }
    }
}
