import KilnIR

/// Euclidean distance between rows, `√(Σ (a − b)² + ε)`; ε keeps the gradient defined at 0.
func rowDistance(_ a: Tensor, _ b: Tensor, epsilon: Double, file: String, line: Int) -> Tensor {
    ((a.subtracting(b, file: file, line: line)).square(file: file, line: line).sum(axes: [-1], file: file, line: line) + epsilon)
        .sqrt(file: file, line: line)
}

/// Contrastive (pairwise margin) loss on embedding pairs, in the notes' form: for a similar pair
/// (`similar` = 1) the distance `d(a, b)`; for a dissimilar pair `max(0, margin − d)`, whose
/// maximum is the margin, at d = 0. `d` is the Euclidean distance of the rows.
public func contrastiveLoss(
    _ a: Tensor, _ b: Tensor, similar: Tensor, margin: Double = 1, reduction: Reduction = .mean,
    file: String = #fileID, line: Int = #line
) -> Tensor {
    let distance = rowDistance(a, b, epsilon: 1e-12, file: file, line: line)
    let push = maximum(margin - distance, distance.scalar(0), file: file, line: line)
    let value = similar * distance + (1 - similar) * push
    return reduction.apply(value, file: file, line: line)
}

/// Triplet loss: `max(0, margin + d(anchor, positive) − d(anchor, negative))` with the squared
/// Euclidean distance of the rows; easy triplets (already separated by the margin) give zero.
public func tripletLoss(
    anchor: Tensor, positive: Tensor, negative: Tensor, margin: Double = 1, reduction: Reduction = .mean,
    file: String = #fileID, line: Int = #line
) -> Tensor {
    let toPositive = anchor.subtracting(positive, file: file, line: line).square(file: file, line: line).sum(axes: [-1], file: file, line: line)
    let toNegative = anchor.subtracting(negative, file: file, line: line).square(file: file, line: line).sum(axes: [-1], file: file, line: line)
    let value = maximum(toPositive - toNegative + margin, toPositive.scalar(0), file: file, line: line)
    return reduction.apply(value, file: file, line: line)
}

/// The notes' Earth Mover's Distance loss (NIMA): per row,
/// `√(mean_k (CDF_estimate(k) − CDF_target(k))² + ε)`, then reduced over rows.
/// The CDFs are cumulative sums along the last axis (a product with an upper-triangular matrix of
/// ones). The notes' version has no ε, so its gradient is NaN where the distributions are equal;
/// ε (1e-12) makes that gradient 0.
public func earthMoversDistanceLoss(
    _ estimate: Tensor, _ target: Tensor, epsilon: Double = 1e-12, reduction: Reduction = .mean,
    file: String = #fileID, line: Int = #line
) -> Tensor {
    let bins = estimate.shape.dimensions.last ?? 1
    var triangle = [Double](repeating: 0, count: bins * bins)
    for row in 0..<bins { for column in row..<bins { triangle[row * bins + column] = 1 } }
    let cumulative = estimate.context.constant(triangle, shape: [bins, bins], file: file, line: line)
    let difference = estimate.subtracting(target, file: file, line: line).matmul(cumulative, file: file, line: line)
    let perRow = (difference.square(file: file, line: line).mean(axes: [-1], file: file, line: line) + epsilon).sqrt(file: file, line: line)
    return reduction.apply(perRow, file: file, line: line)
}
