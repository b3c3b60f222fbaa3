import KilnIR

extension GraphBuilder {
    /// Splits x along `axis` (default 1, the channels) into consecutive parts of the given
    /// `sizes` (ShuffleNet v2's channel split is `sizes: [C/2, C/2]`).
    ///
    /// A composite: one `slice` per part (each a copy; the gradient of each part is padded back
    /// into place and the parts' gradients add up).
    ///
    /// - Returns: one node per part, in order.
    /// - Throws: when `axis` is out of range, a size is not positive, or the sizes do not add up
    ///   to the axis's extent.
    public mutating func channelSplit(_ x: NodeID, sizes: [Int], axis: Int = 1) throws(KilnError) -> [NodeID] {
        let shape = type(of: x).shape
        guard let normalized = shape.rank > 0 ? shape.normalizedAxis(axis) : nil else {
            throw compositeError(
                "channel_split", [x], "axis \(axis) is out of range for input 0 of shape \(shape)")
        }
        guard !sizes.isEmpty, sizes.allSatisfy({ $0 > 0 }), sizes.reduce(0, +) == shape[normalized] else {
            throw compositeError(
                "channel_split", [x],
                "sizes \(sizes) must be positive and add up to \(shape[normalized]), the extent of axis \(normalized) of input 0 (shape \(shape))")
        }
        var parts: [NodeID] = []
        var start = 0
        for size in sizes {
            parts.append(try add(
                "slice", [x],
                attributes: ["starts": .ints([start]), "ends": .ints([start + size]), "axes": .ints([normalized])]))
            start += size
        }
        return parts
    }
}
