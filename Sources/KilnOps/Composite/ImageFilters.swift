import KilnIR

// The image filters of the notes (S2:41–144) as graph functions over NCHW images: each output
// pixel is computed from the `size`×`size` neighbourhood centred on it, each channel on its own,
// and the output has the input's size. The notes' own code anchors its 2×2 "median" (a mean)
// and 3×3 max windows at the top-left corner; these are centred.

extension GraphBuilder {
    /// The notes' 5×5 Gaussian kernel (S2:45): integer weights summing to 273, largest at the
    /// centre. `gaussianFilter` divides it by its sum.
    public static let gaussianKernel5x5: [[Int]] = [
        [1, 4, 7, 4, 1],
        [4, 16, 26, 16, 4],
        [7, 26, 41, 26, 7],
        [4, 16, 26, 16, 4],
        [1, 4, 7, 4, 1],
    ]

    /// The 5×5 Gaussian blur: a depthwise `conv2d` with the fixed weights
    /// `gaussianKernel5x5 / 273` and zero padding 2, so pixels near the border are darkened as
    /// by any zero-padded convolution (OpenCV reflects the border instead).
    public mutating func gaussianFilter(_ x: NodeID) throws(KilnError) -> NodeID {
        let channels = try checkImage("gaussian_filter", x, size: 5)
        let kernel = Self.gaussianKernel5x5.flatMap { $0 }
        let total = Double(kernel.reduce(0, +))
        let weights = leaf(
            Node.constantOp, type: TensorType(.float32, [channels, 1, 5, 5]), name: "gaussian_kernel",
            attributes: ["value": .floats(Array(repeating: kernel.map { Double($0) / total }, count: channels).flatMap { $0 })])
        return try add("conv2d", [x, weights], attributes: ["padding": .ints([2]), "groups": .int(channels)])
    }

    /// The mean (box) filter g = (1/M)·Σ f over the `size`×`size` neighbourhood: `avg_pool2d` with
    /// stride 1, where M counts only the pixels inside the image (`count_include_pad` false).
    public mutating func meanFilter(_ x: NodeID, size: Int = 3) throws(KilnError) -> NodeID {
        _ = try checkImage("mean_filter", x, size: size)
        var attributes = Self.sameWindow(size)
        attributes["count_include_pad"] = .bool(false)
        return try add("avg_pool2d", [x], attributes: attributes)
    }

    /// The median filter: the median of the `size`×`size` neighbourhood (`median_pool2d`, stride
    /// 1; at the border, of the pixels inside the image). Removes salt-and-pepper noise.
    public mutating func medianFilter(_ x: NodeID, size: Int = 3) throws(KilnError) -> NodeID {
        _ = try checkImage("median_filter", x, size: size)
        return try add("median_pool2d", [x], attributes: Self.sameWindow(size))
    }

    /// The max filter: the brightest pixel of the neighbourhood (`max_pool2d`, stride 1).
    /// Brightens; removes pepper (dark) noise.
    public mutating func maxFilter(_ x: NodeID, size: Int = 3) throws(KilnError) -> NodeID {
        _ = try checkImage("max_filter", x, size: size)
        return try add("max_pool2d", [x], attributes: Self.sameWindow(size))
    }

    /// The min filter, −max(−x) over the neighbourhood. Darkens; removes salt (white) noise.
    public mutating func minFilter(_ x: NodeID, size: Int = 3) throws(KilnError) -> NodeID {
        _ = try checkImage("min_filter", x, size: size)
        let negated = try add("neg", [x])
        return try add("neg", [try add("max_pool2d", [negated], attributes: Self.sameWindow(size))])
    }

    /// Stride 1 and the padding that keeps the size: ⌊(size−1)/2⌋ before, ⌈(size−1)/2⌉ after.
    private static func sameWindow(_ size: Int) -> Attributes {
        let before = (size - 1) / 2, after = size / 2
        return [
            "kernel_size": .ints([size]), "stride": .ints([1]), "padding": .ints([before, before, after, after]),
        ]
    }

    /// The channel count of an NCHW image, or the filter's error for another rank or a size < 1.
    private func checkImage(_ op: String, _ x: NodeID, size: Int) throws(KilnError) -> Int {
        let shape = type(of: x).shape
        guard shape.rank == 4 else {
            throw compositeError(op, [x], "input 0 has shape \(shape); expected rank 4 ([N,C,H,W])")
        }
        guard size >= 1 else { throw compositeError(op, [x], "size \(size) must be at least 1") }
        return shape[1]
    }
}
