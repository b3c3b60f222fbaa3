import KilnIR

extension GraphBuilder {
    /// Local response normalization across channels (AlexNet):
    /// b_c = a_c / (k + α·Σ a_j²)^β, the sum over the `size` channels j around c (⌊(size−1)/2⌋
    /// before, ⌈(size−1)/2⌉ after, clipped at the first and last channel). Defaults are
    /// AlexNet's: size 5, α = 1e-4, β = 0.75, k = 2. No learnable parameters.
    ///
    /// α multiplies the sum itself, as in the AlexNet paper and the notes; PyTorch's
    /// `LocalResponseNorm` and ONNX `LRN` use α/size (pass their α divided by size).
    ///
    /// A composite (square, `channel_window_sum`, mul, add, pow, mul); its gradient comes from
    /// the primitives.
    ///
    /// - Throws: when x has rank below 2 or `size` < 1.
    public mutating func localResponseNorm(
        _ x: NodeID, size: Int = 5, alpha: Double = 1e-4, beta: Double = 0.75, k: Double = 2
    ) throws(KilnError) -> NodeID {
        let shape = type(of: x).shape
        guard shape.rank >= 2 else {
            throw compositeError(
                "lrn", [x], "input 0 has shape \(shape); expected rank 2 or more ([N,C,...], channels on axis 1)")
        }
        guard size >= 1 else { throw compositeError("lrn", [x], "size \(size) must be at least 1") }
        let window: Attributes = ["before": .int((size - 1) / 2), "after": .int(size / 2)]
        let sumOfSquares = try add("channel_window_sum", [try add("square", [x])], attributes: window)
        let base = try add("add", [try add("mul", [sumOfSquares, scalar(alpha)]), scalar(k)])
        let factor = try add("pow", [base, scalar(-beta)])
        return try add("mul", [x, factor])
    }
}
