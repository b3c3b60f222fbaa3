import KilnIR

/// Mean squared error: `(prediction − target)²`, reduced. Its gradient is `2(prediction − target)`
/// (÷ count for the mean). Minimizing it is maximum likelihood under Gaussian noise.
public func meanSquaredError(
    _ prediction: Tensor, _ target: Tensor, reduction: Reduction = .mean, file: String = #fileID, line: Int = #line
) -> Tensor {
    LossInputs.checkSameShape("meanSquaredError", prediction, "prediction", target, "target", file: file, line: line)
    return reduction.apply(prediction.subtracting(target, file: file, line: line).square(file: file, line: line), file: file, line: line)
}

/// L1 (absolute) error: `|prediction − target|`, reduced; sub-gradient `sign(prediction − target)`.
public func l1Loss(
    _ prediction: Tensor, _ target: Tensor, reduction: Reduction = .mean, file: String = #fileID, line: Int = #line
) -> Tensor {
    LossInputs.checkSameShape("l1Loss", prediction, "prediction", target, "target", file: file, line: line)
    return reduction.apply(prediction.subtracting(target, file: file, line: line).abs(file: file, line: line), file: file, line: line)
}

/// Smooth L1: `0.5·d²/β` where `|d| < β`, `|d| − 0.5·β` elsewhere (d = prediction − target);
/// quadratic near zero, linear far away, continuous with a continuous first derivative.
public func smoothL1Loss(
    _ prediction: Tensor, _ target: Tensor, beta: Double = 1, reduction: Reduction = .mean,
    file: String = #fileID, line: Int = #line
) -> Tensor {
    LossInputs.checkSameShape("smoothL1Loss", prediction, "prediction", target, "target", file: file, line: line)
    let distance = prediction.subtracting(target, file: file, line: line).abs(file: file, line: line)
    let betaTensor = distance.scalar(beta)
    let quadratic = distance.square(file: file, line: line) * (0.5 / beta)
    let linear = distance - 0.5 * beta
    return reduction.apply(Kiln.where(distance.less(betaTensor, file: file, line: line), quadratic, linear, file: file, line: line), file: file, line: line)
}

/// Huber loss with threshold δ: `0.5·d²` where `|d| ≤ δ`, `δ·(|d| − 0.5·δ)` elsewhere
/// (= δ · smooth L1 with β = δ).
public func huberLoss(
    _ prediction: Tensor, _ target: Tensor, delta: Double = 1, reduction: Reduction = .mean,
    file: String = #fileID, line: Int = #line
) -> Tensor {
    LossInputs.checkSameShape("huberLoss", prediction, "prediction", target, "target", file: file, line: line)
    let distance = prediction.subtracting(target, file: file, line: line).abs(file: file, line: line)
    let quadratic = distance.square(file: file, line: line) * 0.5
    let linear = (distance - 0.5 * delta) * delta
    let inside = distance.lessEqual(distance.scalar(delta), file: file, line: line)
    return reduction.apply(Kiln.where(inside, quadratic, linear, file: file, line: line), file: file, line: line)
}
