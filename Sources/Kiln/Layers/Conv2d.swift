import KilnIR

/// 2-D convolution layer (NCHW): weight [Cout, Cin/groups, Kh, Kw] (He-uniform), optional bias [Cout].
///
/// Parameters: `Kh·Kw·(Cin/groups)·Cout` (+ Cout with bias), catalog §5.2. Depthwise convolution is
/// `groups == Cin`; a 1×1 convolution runs as one GEMM.
public final class Conv2d: Layer {
    /// [Cout, Cin/groups, Kh, Kw].
    public let weight: Parameter
    /// [Cout], or nil.
    public let bias: Parameter?
    public let name: String?
    let stride: Pair, padding: Padding, dilation: Pair, groups: Int

    /// Creates a convolution; `padding` defaults to "same" for odd kernels at stride 1 ((k−1)/2·d).
    public init(
        _ inputs: Int, _ outputs: Int, kernel: Pair, stride: Pair = 1, padding: Padding? = nil, dilation: Pair = 1,
        groups: Int = 1, bias: Bool = true, name: String? = nil
    ) {
        self.name = name
        self.stride = stride
        self.dilation = dilation
        self.groups = groups
        let vertical = dilation.height * (kernel.height - 1) / 2, horizontal = dilation.width * (kernel.width - 1) / 2
        self.padding = padding ?? [vertical, horizontal]
        let perGroup = max(inputs / max(groups, 1), 1)
        weight = Parameter(
            "weight", shape: [outputs, perGroup, kernel.height, kernel.width],
            initializer: .heUniform(fanIn: perGroup * kernel.height * kernel.width))
        self.bias = bias ? Parameter("bias", shape: [outputs], initializer: .zeros) : nil
    }

    public func forward(_ x: Tensor) -> Tensor {
        conv2d(x, weight: node(of: weight, for: x), bias: bias.map { node(of: $0, for: x) }, stride: stride,
               padding: padding, dilation: dilation, groups: groups)
    }
}

/// Batch normalization over channels (axis 1): in training, the batch's statistics (biased
/// variance) with the running mean and variance updated in place (momentum 0.9 on the old value);
/// at inference, the running statistics. 2·C learnable parameters (γ, β); the running statistics
/// are state, not parameters.
public final class BatchNorm: Layer {
    /// γ [C], initially 1.
    public let gamma: Parameter
    /// β [C], initially 0.
    public let beta: Parameter
    public let name: String?
    let channels: Int, momentum: Double, eps: Double

    /// Creates batch normalization over `channels`.
    public init(_ channels: Int, momentum: Double = 0.9, eps: Double = 1e-5, name: String? = nil) {
        self.name = name
        self.channels = channels
        self.momentum = momentum
        self.eps = eps
        gamma = Parameter("weight", shape: [channels], initializer: .constant(1))
        beta = Parameter("bias", shape: [channels], initializer: .zeros)
    }

    public func forward(_ x: Tensor) -> Tensor {
        let context = x.context
        let layer = context.name(of: self)
        let gammaNode = node(of: gamma, for: x), betaNode = node(of: beta, for: x)
        let mean = context.stateParameter("\(layer).running_mean", shape: [channels])
        let variance = context.stateParameter("\(layer).running_var", shape: [channels], initial: 1)
        if context.isTraining {
            return context.composite(fallback: x, file: nil, line: nil) { (builder: inout GraphBuilder) throws(KilnError) -> NodeID in
                try builder.batchNormTraining(
                    x.id, gamma: gammaNode.id, beta: betaNode.id, runningMean: mean.id, runningVariance: variance.id,
                    momentum: momentum, eps: eps).output
            }
        }
        return x.apply("batch_norm", [gammaNode, betaNode, mean, variance], attributes: ["eps": .float(eps)])
    }
}

import KilnOps
