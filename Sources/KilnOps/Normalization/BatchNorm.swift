import KilnC
import KilnIR

/// Batch normalization in inference form: y = γ·(x − μ)/√(σ² + ε) + β per channel, with the
/// stored (running) statistics. Inputs: x ([N,C,...], channels on axis 1), γ, β, running mean μ,
/// running variance σ², each [C]. Attribute `eps` (default 1e-5). 2·C learnable parameters (γ, β).
///
/// A primitive rather than a composite of reshape/sub/mul/add: one node holding the four
/// per-channel vectors is what batch-norm folding into a preceding convolution matches, and its C
/// is one per-channel affine loop (scale and shift computed once per channel). The training form,
/// which normalizes with the batch's own statistics, is `batch_norm_train`.
///
/// Gradients (statistics held fixed): ∂x = dy·γ/√(σ²+ε); ∂γ = Σ dy·x̂; ∂β = Σ dy;
/// ∂μ = −γ/√(σ²+ε)·Σ dy; ∂σ² = −½·γ/(σ²+ε)·Σ dy·x̂, sums over every axis but 1.
public struct BatchNorm: ElementwiseFormula {
    public init() {}
    public var mnemonic: String { "batch_norm" }
    public var arity: ClosedRange<Int> { 5...5 }
    public var fusionKind: FusionKind { .broadcast }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try checkArity(inputs)
        let layout = try ChannelLayout(input: 0, of: inputs)
        for (index, role) in [(1, "gamma"), (2, "beta"), (3, "running mean"), (4, "running variance")] {
            try layout.checkChannelVector(inputs, index, role: role)
        }
        try checkEpsilon(attributes)
        return inputs[0]
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let layout = ChannelLayout(signature.inputs[0].shape)
        let eps = signature.attributes.float("eps", default: 1e-5)
        let x = inputs[0].values, gamma = inputs[1].values, beta = inputs[2].values
        let mean = inputs[3].values, variance = inputs[4].values
        var values = [Double](repeating: 0, count: x.count)
        for n in 0..<layout.batch {
            for c in 0..<layout.channels {
                let deviation = (variance[c] + eps).squareRoot()
                for i in 0..<layout.inner {
                    let index = (n * layout.channels + c) * layout.inner + i
                    values[index] = gamma[c] * (x[index] - mean[c]) / deviation + beta[c]
                }
            }
        }
        return ReferenceTensor(signature.output, values)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let layout = ChannelLayout(kernel.signature.inputs[0].shape)
        let eps = CLiteral.float(kernel.attributes.float("eps", default: 1e-5))
        let x = kernel.inputs, y = kernel.output
        kernel.writer.loop("c", count: layout.channels) { channel in
            channel.line("float scale = \(x[1])[c] / sqrtf(\(x[4])[c] + \(eps));")
            channel.line("float shift = \(x[2])[c] - \(x[3])[c] * scale;")
            channel.loop("n", count: layout.batch) { batch in
                batch.line("long base = (n * \(layout.channels) + c) * \(layout.inner);")
                batch.loop("i", count: layout.inner) { inner in
                    inner.line("\(y)[base + i] = \(x[0])[base + i] * scale + shift;")
                }
            }
        }
    }

    /// In a fused loop (after a convolution whose BN could not be folded, or after a ReLU): x at
    /// the output's index, the four per-channel vectors at the index of axis 1.
    public func operandStrides(_ signature: OperatorSignature) -> [[Int]] {
        let shape = signature.output.shape
        let channel = (0..<shape.rank).map { $0 == 1 ? 1 : 0 }
        return [shape.strides] + Array(repeating: channel, count: 4)
    }

    /// γ·(x − μ)/√(σ² + ε) + β for one element; the division by the square root happens per element
    /// here (the standalone kernel computes scale and shift once per channel).
    public func cFormula(_ operands: [String], _ attributes: Attributes) -> String {
        let eps = CLiteral.float(attributes.float("eps", default: 1e-5))
        return "(\(operands[1]) * (\(operands[0]) - \(operands[3])) / sqrtf(\(operands[4]) + \(eps)) + \(operands[2]))"
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        let layout = ChannelLayout(signature.inputs[0].shape)
        return OperatorCost(
            flops: 2 * signature.output.shape.elementCount + 5 * layout.channels,
            bytesRead: signature.inputs.reduce(0) { $0 + $1.byteCount }, bytesWritten: signature.output.byteCount)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let x = context.input(0), gamma = context.input(1), mean = context.input(3), variance = context.input(4)
        let layout = ChannelLayout(context.type(of: x).shape)
        let eps = context.node.attributes.float("eps", default: 1e-5)
        let axes = AttributeValue.ints(layout.reducedAxes), channelShape = AttributeValue.ints(layout.channelShape)
        let gradient = context.outputGradient
        let inverseDeviation = try context.add("rsqrt", [try context.add("add", [variance, context.scalar(eps)])])
        let scale = try context.add("mul", [gamma, inverseDeviation])
        let broadcastScale = try context.add("reshape", [scale], attributes: ["shape": channelShape])
        let broadcastMean = try context.add("reshape", [mean], attributes: ["shape": channelShape])
        let broadcastInverse = try context.add("reshape", [inverseDeviation], attributes: ["shape": channelShape])
        let normalized = try context.add(
            "mul", [try context.add("sub", [x, broadcastMean]), broadcastInverse])
        let gradientX = try context.add("mul", [gradient, broadcastScale])
        let gradientGamma = try context.add(
            "sum", [try context.add("mul", [gradient, normalized])], attributes: ["axes": axes, "keepdims": .bool(false)])
        let gradientBeta = try context.add("sum", [gradient], attributes: ["axes": axes, "keepdims": .bool(false)])
        let gradientMean = try context.add("neg", [try context.add("mul", [scale, gradientBeta])])
        let halfScale = try context.add("mul", [scale, try context.add("mul", [inverseDeviation, context.scalar(-0.5)])])
        let gradientVariance = try context.add("mul", [halfScale, gradientGamma])
        return [gradientX, gradientGamma, gradientBeta, gradientMean, gradientVariance]
    }

    public var testCases: [OperatorTestCase] {
        let domains: [ClosedRange<Double>] = [-2...2, 0.5...1.5, -1...1, -1...1, 0.2...2]
        return [
            OperatorTestCase(
                "nchw", inputs: [.f32(2, 3, 4, 5), .f32(3), .f32(3), .f32(3), .f32(3)], domains: domains),
            OperatorTestCase("nc", inputs: [.f32(4, 3), .f32(3), .f32(3), .f32(3), .f32(3)], domains: domains),
            OperatorTestCase(
                "size-1", inputs: [.f32(1, 1, 1, 1), .f32(1), .f32(1), .f32(1), .f32(1)], domains: domains),
            OperatorTestCase(
                "eps", inputs: [.f32(2, 2, 3), .f32(2), .f32(2), .f32(2), .f32(2)],
                attributes: ["eps": .float(0.1)], domains: domains),
        ]
    }
}
