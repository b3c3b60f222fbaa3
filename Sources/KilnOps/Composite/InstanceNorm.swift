import KilnIR

extension GraphBuilder {
    /// Instance normalization: each (sample, channel) of x = [N,C,spatial…] is standardized over
    /// its spatial axes, (x − μ)/√(σ² + ε) with the biased variance, then scaled by γ and shifted
    /// by β per channel ([C], either may be nil). Same computation in training and inference
    /// (style transfer).
    ///
    /// A composite (mean, sub, square, rsqrt, mul, add, reshape), fused and differentiated through
    /// its primitives.
    ///
    /// - Throws: when x has rank below 3, or γ or β is not [C].
    public mutating func instanceNorm(
        _ x: NodeID, gamma: NodeID? = nil, beta: NodeID? = nil, eps: Double = 1e-5
    ) throws(KilnError) -> NodeID {
        let shape = type(of: x).shape
        guard shape.rank >= 3 else {
            throw compositeError(
                "instance_norm", [x] + [gamma, beta].compactMap { $0 },
                "input 0 has shape \(shape); expected rank 3 or more ([N,C,H,...]): each channel is normalized over the spatial axes")
        }
        try checkChannelParameters("instance_norm", x, gamma: gamma, beta: beta)
        let normalized = try standardize(x, axes: Array(2..<shape.rank), eps: eps)
        return try channelAffine(normalized, gamma: gamma, beta: beta)
    }
}
