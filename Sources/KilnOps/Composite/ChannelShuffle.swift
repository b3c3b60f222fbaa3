import KilnIR

extension GraphBuilder {
    /// ShuffleNet's channel shuffle: the C channels of x = [N,C,…], seen as `groups` groups of
    /// C/g, are interleaved so that the next group convolution sees every group. Output channel
    /// j·g + i is input channel i·(C/g) + j (for group i, position j within the group).
    ///
    /// A composite: reshape to [N, g, C/g, rest], transpose the middle two axes, reshape back;
    /// one copy in the transpose, gradient through the inverse transpose.
    ///
    /// - Throws: when x has rank below 2 or `groups` does not divide C.
    public mutating func channelShuffle(_ x: NodeID, groups: Int) throws(KilnError) -> NodeID {
        let shape = type(of: x).shape
        guard shape.rank >= 2 else {
            throw compositeError(
                "channel_shuffle", [x], "input 0 has shape \(shape); expected rank 2 or more ([N,C,...], channels on axis 1)")
        }
        guard groups > 0, shape[1] % groups == 0 else {
            throw compositeError(
                "channel_shuffle", [x],
                "input 0 of shape \(shape) has \(shape[1]) channels, not divisible by groups = \(groups)")
        }
        let rest = shape.dimensions.dropFirst(2).reduce(1, *)
        let grouped = try add("reshape", [x], attributes: ["shape": .ints([shape[0], groups, shape[1] / groups, rest])])
        let swapped = try add("transpose", [grouped], attributes: ["perm": .ints([0, 2, 1, 3])])
        return try add("reshape", [swapped], attributes: ["shape": .ints(shape.dimensions)])
    }
}
