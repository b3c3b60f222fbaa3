import KilnIR

extension GraphBuilder {
    /// Layer normalization: each sample is standardized over its last `normalizedRank` axes,
    /// (x − μ)/√(σ² + ε) with the biased variance, then scaled by γ and shifted by β, which have
    /// the shape of those axes (either may be nil). For a CNN feature map [N,C,H,W],
    /// `normalizedRank: 3` normalizes over (C, H, W) per sample. Same computation in training and
    /// inference; independent of the batch size.
    ///
    /// A composite (mean, sub, square, rsqrt, mul, add): the fusion pass makes its reductions and
    /// their elementwise prologue and epilogue one kernel, and autodiff derives its gradient.
    ///
    /// - Throws: when `normalizedRank` is not in 1...rank, or γ or β has the wrong shape.
    public mutating func layerNorm(
        _ x: NodeID, gamma: NodeID? = nil, beta: NodeID? = nil, normalizedRank: Int = 1, eps: Double = 1e-5
    ) throws(KilnError) -> NodeID {
        let shape = type(of: x).shape
        let inputs = [x] + [gamma, beta].compactMap { $0 }
        guard normalizedRank >= 1, normalizedRank <= shape.rank else {
            let expected = shape.rank == 0 ? "an input of rank 1 or more" : "1 to \(shape.rank)"
            throw compositeError(
                "layer_norm", inputs,
                "normalized_rank \(normalizedRank) is out of range for input 0 of shape \(shape); expected \(expected)")
        }
        let normalizedShape = Shape(Array(shape.dimensions.suffix(normalizedRank)))
        for (index, role, parameter) in [(1, "gamma", gamma), (2, "beta", beta)] {
            guard let parameter else { continue }
            guard type(of: parameter) == TensorType(.float32, normalizedShape) else {
                throw compositeError(
                    "layer_norm", inputs,
                    "input \(index) (\(role)) is \(type(of: parameter)); expected f32\(normalizedShape) "
                        + "(the last \(normalizedRank) dimensions of input 0, shape \(shape))")
            }
        }
        var result = try standardize(x, axes: Array((shape.rank - normalizedRank)..<shape.rank), eps: eps)
        if let gamma { result = try add("mul", [result, gamma]) }
        if let beta { result = try add("add", [result, beta]) }
        return result
    }
}
