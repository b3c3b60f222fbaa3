import KilnIR
import KilnOps

/// Switchable normalization as a layer over `[N, C, H, W]`: learned γ (`weight`, 1) and β
/// (`bias`, 0) per channel, mixture logits over the instance, layer and batch statistics
/// (`mean_logits`, `variance_logits`, each `[3]`, zero: equal weights), and the batch term's
/// running mean and variance (`running_mean` 0, `running_var` 1), updated in training with
/// `momentum` (the weight of the old value, as in `BatchNorm`) and used at inference.
public final class SwitchableNorm: Layer {
    /// γ [C], initially 1.
    public let gamma: Parameter
    /// β [C], initially 0.
    public let beta: Parameter
    /// The mixture logits of the means and of the variances, each [3] (IN, LN, BN).
    public let meanLogits: Parameter, varianceLogits: Parameter
    public let name: String?
    let channels: Int, momentum: Double, eps: Double

    /// Creates switchable normalization over `channels`.
    public init(_ channels: Int, momentum: Double = 0.9, eps: Double = 1e-5, name: String? = nil) {
        self.name = name
        self.channels = channels
        self.momentum = momentum
        self.eps = eps
        gamma = Parameter("weight", shape: [channels], initializer: .constant(1))
        beta = Parameter("bias", shape: [channels], initializer: .zeros)
        meanLogits = Parameter("mean_logits", shape: [3], initializer: .zeros)
        varianceLogits = Parameter("variance_logits", shape: [3], initializer: .zeros)
    }

    public func forward(_ x: Tensor) -> Tensor {
        let context = x.context
        let layer = context.name(of: self)
        let (gammaNode, betaNode) = (node(of: gamma, for: x), node(of: beta, for: x))
        let (meanLogitsNode, varianceLogitsNode) = (node(of: meanLogits, for: x), node(of: varianceLogits, for: x))
        let mean = context.stateParameter("\(layer).running_mean", shape: [channels])
        let variance = context.stateParameter("\(layer).running_var", shape: [channels], initial: 1)
        guard context.isTraining else {
            return Kiln.switchableNorm(
                x, meanLogits: meanLogitsNode, varianceLogits: varianceLogitsNode, gamma: gammaNode, beta: betaNode, eps: eps,
                runningMean: mean, runningVariance: variance)
        }
        return context.composite(fallback: x, file: nil, line: nil) { (builder: inout GraphBuilder) throws(KilnError) -> NodeID in
            try builder.switchableNormTraining(
                x.id, meanLogits: meanLogitsNode.id, varianceLogits: varianceLogitsNode.id, gamma: gammaNode.id, beta: betaNode.id,
                runningMean: mean.id, runningVariance: variance.id, momentum: momentum, eps: eps)
        }
    }
}
