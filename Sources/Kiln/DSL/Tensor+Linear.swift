import KilnIR

/// Matrix product with NumPy batching (`[..., M, K] × [..., K, N]`), optionally transposing
/// either operand's last two axes. Runs as `cblas_sgemm`.
public func matmul(
    _ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false,
    file: String = #fileID, line: Int = #line
) -> Tensor {
    var attributes = Attributes()
    if transposeA { attributes["transpose_a"] = .bool(true) }
    if transposeB { attributes["transpose_b"] = .bool(true) }
    return a.apply("matmul", [b], attributes: attributes, file: file, line: line)
}

extension Tensor {
    /// Matrix product `self × other`.
    public func matmul(
        _ other: Tensor, transposeA: Bool = false, transposeB: Bool = false,
        file: String = #fileID, line: Int = #line
    ) -> Tensor {
        Kiln.matmul(self, other, transposeA: transposeA, transposeB: transposeB, file: file, line: line)
    }
}
