import KilnIR

/// How `spaceToDepth` orders the b² pixels of each block among the output channels.
public enum SpaceToDepthOrder: Sendable {
    /// YOLOv5's Focus: the blocks' column offset varies slowest. Output channel
    /// (dx·b + dy)·C + c holds x[c, b·h + dy, b·w + dx]; for b = 2 that is the concatenation of
    /// x[::2, ::2], x[1::2, ::2], x[::2, 1::2], x[1::2, 1::2].
    case focus
    /// ONNX `SpaceToDepth`: the row offset varies slowest. Output channel (dy·b + dx)·C + c holds
    /// x[c, b·h + dy, b·w + dx].
    case rowMajor
}

extension GraphBuilder {
    /// Space-to-depth (the Focus layer of YOLOv5 for `blockSize: 2`): x = [N,C,H,W] becomes
    /// [N, b²·C, H/b, W/b], each b×b block of pixels moved into channels in `order` (Focus by
    /// default). An RGB image gets 12 channels at half the resolution, with no information lost.
    ///
    /// A composite: reshape to [N, C, H/b, b, W/b, b], one transpose, reshape; the gradient is the
    /// inverse transpose.
    ///
    /// - Throws: when x is not rank 4, `blockSize` < 1, or it does not divide H and W.
    public mutating func spaceToDepth(
        _ x: NodeID, blockSize: Int = 2, order: SpaceToDepthOrder = .focus
    ) throws(KilnError) -> NodeID {
        let shape = type(of: x).shape
        guard shape.rank == 4 else {
            throw compositeError("space_to_depth", [x], "input 0 has shape \(shape); expected rank 4 ([N,C,H,W])")
        }
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        guard blockSize >= 1, h % blockSize == 0, w % blockSize == 0 else {
            throw compositeError(
                "space_to_depth", [x],
                "block size \(blockSize) does not divide the height and width of input 0 (shape \(shape))")
        }
        let b = blockSize
        let blocks = try add("reshape", [x], attributes: ["shape": .ints([n, c, h / b, b, w / b, b])])
        // Axes of `blocks`: 0 N, 1 C, 2 H/b, 3 dy, 4 W/b, 5 dx.
        let perm = order == .focus ? [0, 5, 3, 1, 2, 4] : [0, 3, 5, 1, 2, 4]
        let moved = try add("transpose", [blocks], attributes: ["perm": .ints(perm)])
        return try add("reshape", [moved], attributes: ["shape": .ints([n, b * b * c, h / b, w / b])])
    }
}
