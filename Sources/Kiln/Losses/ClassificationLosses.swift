import KilnIR

/// Negative log-likelihood of class `labels` under `logProbabilities` (`[N, C]`, e.g. from
/// `logSoftmax`): `−logProbabilities[label]` per row, reduced.
public func nllLoss(
    _ logProbabilities: Tensor, labels: Tensor, reduction: Reduction = .mean, file: String = #fileID, line: Int = #line
) -> Tensor {
    LossInputs.checkClassLabels("nllLoss", scores: logProbabilities, scoresName: "log-probabilities", labels: labels, file: file, line: line)
    let classes = logProbabilities.shape.dimensions.last ?? 0
    let picked = (oneHot(labels, classes: classes, file: file, line: line) * logProbabilities).sum(axes: [-1], file: file, line: line)
    return reduction.apply(-picked, file: file, line: line)
}

/// `softplus(x) = log(1 + eˣ)` computed stably as `max(x, 0) + log(1 + e^(−|x|))`.
func stableSoftplus(_ x: Tensor, file: String, line: Int) -> Tensor {
    let zero = x.scalar(0)
    return maximum(x, zero, file: file, line: line) + (1 + (-x.abs(file: file, line: line)).exp(file: file, line: line)).log(file: file, line: line)
}

/// Binary cross-entropy on logits `x` with targets `y ∈ [0, 1]`:
/// `−[y·log σ(x) + (1−y)·log(1−σ(x))]`, computed stably as `max(x,0) − x·y + log(1 + e^(−|x|))`.
/// Its gradient is `σ(x) − y`.
public func binaryCrossEntropyWithLogits(
    _ logits: Tensor, _ targets: Tensor, reduction: Reduction = .mean, file: String = #fileID, line: Int = #line
) -> Tensor {
    LossInputs.checkSameShape("binaryCrossEntropyWithLogits", logits, "logits", targets, "targets", file: file, line: line)
    let zero = logits.scalar(0)
    let value = maximum(logits, zero, file: file, line: line) - logits * targets
        + (1 + (-logits.abs(file: file, line: line)).exp(file: file, line: line)).log(file: file, line: line)
    return reduction.apply(value, file: file, line: line)
}

/// Hinge loss (SVM) on scores `f` with labels `y ∈ {−1, +1}`: `max(0, 1 − y·f)`.
public func hingeLoss(
    _ scores: Tensor, _ labels: Tensor, reduction: Reduction = .mean, file: String = #fileID, line: Int = #line
) -> Tensor {
    LossInputs.checkSameShape("hingeLoss", scores, "scores", labels, "labels", file: file, line: line)
    return reduction.apply(marginViolation(scores, labels, file: file, line: line), file: file, line: line)
}

/// Squared hinge loss: `max(0, 1 − y·f)²`.
public func squaredHingeLoss(
    _ scores: Tensor, _ labels: Tensor, reduction: Reduction = .mean, file: String = #fileID, line: Int = #line
) -> Tensor {
    LossInputs.checkSameShape("squaredHingeLoss", scores, "scores", labels, "labels", file: file, line: line)
    return reduction.apply(marginViolation(scores, labels, file: file, line: line).square(file: file, line: line), file: file, line: line)
}

/// `max(0, 1 − y·f)`.
func marginViolation(_ scores: Tensor, _ labels: Tensor, file: String, line: Int) -> Tensor {
    maximum(1 - labels.multiplying(scores, file: file, line: line), scores.scalar(0), file: file, line: line)
}

/// Logistic loss on scores `f` with labels `y ∈ {−1, +1}`: `log(1 + e^(−y·f))`, computed stably.
public func logisticLoss(
    _ scores: Tensor, _ labels: Tensor, reduction: Reduction = .mean, file: String = #fileID, line: Int = #line
) -> Tensor {
    LossInputs.checkSameShape("logisticLoss", scores, "scores", labels, "labels", file: file, line: line)
    return reduction.apply(stableSoftplus(-(labels.multiplying(scores, file: file, line: line)), file: file, line: line), file: file, line: line)
}

/// Exponential loss (AdaBoost) on scores `f` with labels `y ∈ {−1, +1}`: `e^(−y·f)`.
public func exponentialLoss(
    _ scores: Tensor, _ labels: Tensor, reduction: Reduction = .mean, file: String = #fileID, line: Int = #line
) -> Tensor {
    LossInputs.checkSameShape("exponentialLoss", scores, "scores", labels, "labels", file: file, line: line)
    return reduction.apply((-(labels.multiplying(scores, file: file, line: line))).exp(file: file, line: line), file: file, line: line)
}

/// Modified Huber loss on scores `f` with labels `y ∈ {−1, +1}`:
/// `max(0, 1 − y·f)²` where `y·f ≥ −1`, `−4·y·f` elsewhere.
public func modifiedHuberLoss(
    _ scores: Tensor, _ labels: Tensor, reduction: Reduction = .mean, file: String = #fileID, line: Int = #line
) -> Tensor {
    LossInputs.checkSameShape("modifiedHuberLoss", scores, "scores", labels, "labels", file: file, line: line)
    let margin = labels.multiplying(scores, file: file, line: line)
    let squared = marginViolation(scores, labels, file: file, line: line).square(file: file, line: line)
    let value = Kiln.where(margin.greaterEqual(margin.scalar(-1), file: file, line: line), squared, margin * -4, file: file, line: line)
    return reduction.apply(value, file: file, line: line)
}

/// Focal loss on logits `x` with binary targets `y ∈ {0, 1}`: `−α_t·(1 − p_t)^γ·log p_t`, with
/// `p = σ(x)`, `p_t = p` where y = 1 and `1 − p` elsewhere, `α_t = α` where y = 1 and `1 − α`
/// elsewhere. γ sharpens the down-weighting of easy examples; γ = 0 and α = 0.5 give half the BCE.
/// `log p_t` is computed stably as `−softplus(−(2y−1)·x)`.
public func focalLoss(
    _ logits: Tensor, _ targets: Tensor, gamma: Double = 2, alpha: Double = 0.25, reduction: Reduction = .mean,
    file: String = #fileID, line: Int = #line
) -> Tensor {
    LossInputs.checkSameShape("focalLoss", logits, "logits", targets, "targets", file: file, line: line)
    let sign = targets * 2 - 1
    let logPt = -stableSoftplus(-(sign.multiplying(logits, file: file, line: line)), file: file, line: line)
    let oneMinusPt = 1 - logPt.exp(file: file, line: line)
    let alphaT = targets * alpha + (1 - targets) * (1 - alpha)
    let modulation = gamma == 0 ? logits.scalar(1) : oneMinusPt.pow(gamma, file: file, line: line)
    return reduction.apply(-(alphaT * modulation * logPt), file: file, line: line)
}

/// Kullback–Leibler divergence `Σ p·(log p − log q)` from log-probabilities `logQ` to
/// probabilities `p` (PyTorch's `kl_div(input: log q, target: p)`); terms with p = 0 contribute 0.
/// `.mean` averages over the rows (the first axis), `.sum` sums everything.
public func klDivergence(
    logQ: Tensor, p: Tensor, reduction: Reduction = .mean, file: String = #fileID, line: Int = #line
) -> Tensor {
    LossInputs.checkSameShape("klDivergence", logQ, "logQ", p, "p", file: file, line: line)
    let zero = p.scalar(0)
    let terms = Kiln.where(p.greater(zero, file: file, line: line), p * (p.log(file: file, line: line) - logQ), zero * logQ, file: file, line: line)
    switch reduction {
    case .none: return terms
    case .sum: return terms.sum(file: file, line: line)
    case .mean: return terms.sum(file: file, line: line) / Double(max(logQ.shape.dimensions.first ?? 1, 1))
    }
}
