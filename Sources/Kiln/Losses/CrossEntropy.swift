import KilnIR

/// Cross-entropy of class `labels` under `logits`, computed stably through log-softmax:
/// `−log softmax(logits)[label]` per row, then reduced.
///
/// - Parameters:
///   - logits: `[N, C]` unnormalized scores.
///   - labels: `[N]` class indices (0 ... C−1), float32 or an integer type.
/// - The gradient with respect to the logits is `softmax(logits) − onehot(label)` (÷N for the mean).
public func crossEntropy(
    _ logits: Tensor, labels: Tensor, reduction: Reduction = .mean, file: String = #fileID, line: Int = #line
) -> Tensor {
    LossInputs.checkClassLabels("crossEntropy", scores: logits, labels: labels, file: file, line: line)
    let classes = logits.shape.dimensions.last ?? 0
    let oneHot = Kiln.oneHot(labels, classes: classes, file: file, line: line)
    let perRow = -(oneHot * logits.logSoftmax(axis: -1, file: file, line: line)).sum(axes: [-1], file: file, line: line)
    return reduction.apply(perRow, file: file, line: line)
}

/// One-hot rows for class indices: `[N]` → `[N, classes]` of 0 and 1. Float32 indices compare
/// against the class numbers; integer indices (i64, i32) use the `one_hot` operator, where a
/// negative index counts from the end and one out of range gives a row of zeros.
public func oneHot(_ labels: Tensor, classes: Int, file: String = #fileID, line: Int = #line) -> Tensor {
    if labels.type.dtype.isInteger {
        return labels.apply("one_hot", attributes: ["depth": .int(classes)], file: file, line: line)
    }
    let indices = labels.context.constant((0..<classes).map(Double.init), shape: [classes], file: file, line: line)
    return labels.reshaped([-1, 1], file: file, line: line).equal(indices, file: file, line: line)
}

extension Tensor {
    /// `oneHot` as a method.
    public func oneHot(classes: Int, file: String = #fileID, line: Int = #line) -> Tensor {
        Kiln.oneHot(self, classes: classes, file: file, line: line)
    }
}

/// How a loss combines its per-example values.
public enum Reduction: String, Sendable, CaseIterable {
    /// The mean over every element.
    case mean
    /// The sum over every element.
    case sum
    /// No reduction: one value per element.
    case none

    /// Applies the reduction.
    public func apply(_ values: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
        switch self {
        case .mean: values.mean(file: file, line: line)
        case .sum: values.sum(file: file, line: line)
        case .none: values
        }
    }
}
