import KilnIR

extension GraphBuilder {
    /// Group normalization: the C channels of x = [N,C,…] are split into `groups` groups of C/G
    /// consecutive channels, each (sample, group) is standardized over its channels and spatial
    /// positions, (x − μ)/√(σ² + ε) with the biased variance, then scaled by γ and shifted by β
    /// per channel ([C], either may be nil). G = 1 is layer norm over (C, H, W); G = C is
    /// instance norm. Same in training and inference; suited to small batches.
    ///
    /// A composite: reshape to [N, G, C/G·H·W], standardize over the last axis, reshape back,
    /// per-channel affine.
    ///
    /// - Throws: when x has rank below 2, `groups` does not divide C, or γ or β is not [C].
    public mutating func groupNorm(
        _ x: NodeID, groups: Int, gamma: NodeID? = nil, beta: NodeID? = nil, eps: Double = 1e-5
    ) throws(KilnError) -> NodeID {
        let shape = type(of: x).shape
        let inputs = [x] + [gamma, beta].compactMap { $0 }
        guard shape.rank >= 2 else {
            throw compositeError(
                "group_norm", inputs, "input 0 has shape \(shape); expected rank 2 or more ([N,C,...], channels on axis 1)")
        }
        guard groups > 0, shape[1] % groups == 0 else {
            throw compositeError(
                "group_norm", inputs,
                "input 0 of shape \(shape) has \(shape[1]) channels, not divisible by groups = \(groups)")
        }
        try checkChannelParameters("group_norm", x, gamma: gamma, beta: beta)
        let grouped = try add(
            "reshape", [x], attributes: ["shape": .ints([shape[0], groups, shape.dimensions.dropFirst().reduce(1, *) / groups])])
        let normalized = try standardize(grouped, axes: [2], eps: eps)
        let restored = try add("reshape", [normalized], attributes: ["shape": .ints(shape.dimensions)])
        return try channelAffine(restored, gamma: gamma, beta: beta)
    }
}
