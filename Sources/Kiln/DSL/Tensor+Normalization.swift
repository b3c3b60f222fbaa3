import KilnIR
import KilnOps

// Normalizations of catalog §1.4 that have no layer of their own (layer norm and batch norm live
// with their layers). γ and β are optional `[C]` tensors (parameters or constants).

/// Batch normalization in inference form with given statistics: `γ·(x − μ)/√(σ² + ε) + β` per
/// channel (axis 1). The `BatchNorm` layer adds the training form and the running statistics.
public func batchNorm(
    _ x: Tensor, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor, eps: Double = 1e-5,
    file: String = #fileID, line: Int = #line
) -> Tensor {
    x.apply("batch_norm", [gamma, beta, mean, variance], attributes: ["eps": .float(eps)], file: file, line: line)
}

/// Group normalization: standardizes each of `groups` groups of channels per example over the
/// group's channels and positions, then applies a per-channel affine γ, β.
public func groupNorm(
    _ x: Tensor, groups: Int, gamma: Tensor? = nil, beta: Tensor? = nil, eps: Double = 1e-5,
    file: String = #fileID, line: Int = #line
) -> Tensor {
    x.context.composite(fallback: x, file: file, line: line) { builder throws(KilnError) in
        try builder.groupNorm(x.id, groups: groups, gamma: gamma?.id, beta: beta?.id, eps: eps)
    }
}

/// Instance normalization: standardizes each channel of each example over its positions.
public func instanceNorm(
    _ x: Tensor, gamma: Tensor? = nil, beta: Tensor? = nil, eps: Double = 1e-5, file: String = #fileID, line: Int = #line
) -> Tensor {
    x.context.composite(fallback: x, file: file, line: line) { builder throws(KilnError) in
        try builder.instanceNorm(x.id, gamma: gamma?.id, beta: beta?.id, eps: eps)
    }
}

/// Local response normalization across `size` neighbouring channels (AlexNet):
/// `x / (k + α·Σ x²)^β`. α multiplies the sum itself; PyTorch's and ONNX's α is this α·size.
public func localResponseNorm(
    _ x: Tensor, size: Int = 5, alpha: Double = 1e-4, beta: Double = 0.75, k: Double = 2,
    file: String = #fileID, line: Int = #line
) -> Tensor {
    x.context.composite(fallback: x, file: file, line: line) { builder throws(KilnError) in
        try builder.localResponseNorm(x.id, size: size, alpha: alpha, beta: beta, k: k)
    }
}

/// Switchable normalization: a softmax-weighted mix (`meanLogits`, `varianceLogits`, each `[3]`)
/// of the instance, layer and batch statistics of a rank-4 `x`, then the affine γ, β. With
/// `runningMean` and `runningVariance` (each `[C]`) the batch term uses them instead of the
/// batch's statistics: the inference form. The `SwitchableNorm` layer keeps and updates them.
public func switchableNorm(
    _ x: Tensor, meanLogits: Tensor, varianceLogits: Tensor, gamma: Tensor? = nil, beta: Tensor? = nil, eps: Double = 1e-5,
    runningMean: Tensor? = nil, runningVariance: Tensor? = nil, file: String = #fileID, line: Int = #line
) -> Tensor {
    x.context.composite(fallback: x, file: file, line: line) { builder throws(KilnError) in
        var running: (mean: NodeID, variance: NodeID)?
        switch (runningMean, runningVariance) {
        case let (mean?, variance?): running = (mean.id, variance.id)
        case (nil, nil): running = nil
        default:
            throw KilnError.invalidArgument("switchableNorm needs both runningMean and runningVariance, or neither")
        }
        return try builder.switchableNorm(
            x.id, meanLogits: meanLogits.id, varianceLogits: varianceLogits.id, gamma: gamma?.id, beta: beta?.id, eps: eps,
            runningStatistics: running)
    }
}

extension Tensor {
    /// `batchNorm` as a method.
    public func batchNorm(
        gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor, eps: Double = 1e-5, file: String = #fileID, line: Int = #line
    ) -> Tensor {
        Kiln.batchNorm(self, gamma: gamma, beta: beta, mean: mean, variance: variance, eps: eps, file: file, line: line)
    }
    /// `layerNorm` as a method.
    public func layerNorm(
        gamma: Tensor? = nil, beta: Tensor? = nil, normalizedRank: Int = 1, eps: Double = 1e-5,
        file: String = #fileID, line: Int = #line
    ) -> Tensor {
        Kiln.layerNorm(self, gamma: gamma, beta: beta, normalizedRank: normalizedRank, eps: eps, file: file, line: line)
    }
    /// `groupNorm` as a method.
    public func groupNorm(
        groups: Int, gamma: Tensor? = nil, beta: Tensor? = nil, eps: Double = 1e-5, file: String = #fileID, line: Int = #line
    ) -> Tensor {
        Kiln.groupNorm(self, groups: groups, gamma: gamma, beta: beta, eps: eps, file: file, line: line)
    }
    /// `instanceNorm` as a method.
    public func instanceNorm(
        gamma: Tensor? = nil, beta: Tensor? = nil, eps: Double = 1e-5, file: String = #fileID, line: Int = #line
    ) -> Tensor {
        Kiln.instanceNorm(self, gamma: gamma, beta: beta, eps: eps, file: file, line: line)
    }
    /// `localResponseNorm` as a method.
    public func localResponseNorm(
        size: Int = 5, alpha: Double = 1e-4, beta: Double = 0.75, k: Double = 2, file: String = #fileID, line: Int = #line
    ) -> Tensor {
        Kiln.localResponseNorm(self, size: size, alpha: alpha, beta: beta, k: k, file: file, line: line)
    }
    /// `switchableNorm` as a method.
    public func switchableNorm(
        meanLogits: Tensor, varianceLogits: Tensor, gamma: Tensor? = nil, beta: Tensor? = nil, eps: Double = 1e-5,
        runningMean: Tensor? = nil, runningVariance: Tensor? = nil, file: String = #fileID, line: Int = #line
    ) -> Tensor {
        Kiln.switchableNorm(
            self, meanLogits: meanLogits, varianceLogits: varianceLogits, gamma: gamma, beta: beta, eps: eps,
            runningMean: runningMean, runningVariance: runningVariance, file: file, line: line)
    }
}
