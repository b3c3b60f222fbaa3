import KilnC
import KilnIR

/// Batch normalization in training form: each channel is normalized with the batch's own
/// statistics, y = γ·(x − μ_B)/√(σ²_B + ε) + β, where μ_B and the biased variance σ²_B are over
/// every axis but 1 (N, H, W for NCHW). Inputs: x ([N,C,...]), γ, β ([C]). Attribute `eps`
/// (default 1e-5). Each channel needs more than one value.
///
/// The output is y only (nodes have one output). The running statistics a training step writes
/// back are separate nodes: `GraphBuilder.batchNormRunningStatistics` (momentum update, unbiased
/// running variance), and `GraphBuilder.batchNormTraining` builds both; inference uses
/// `batch_norm` with the stored statistics.
///
/// A primitive because the statistics are: one kernel computes each channel's mean, then its
/// variance around that mean (two passes, accurate), then writes the normalized channel. Its
/// gradient is the compact form, with x̂ = (x − μ_B)/√(σ²_B + ε) recomputed from x and M values per
/// channel:
///   ∂x = γ/√(σ²_B + ε) · (dy − Σdy/M − x̂·Σ(dy·x̂)/M),  ∂γ = Σ dy·x̂,  ∂β = Σ dy.
public struct BatchNormTrain: Operator {
    public init() {}
    public var mnemonic: String { "batch_norm_train" }
    public var arity: ClosedRange<Int> { 3...3 }
    public var fusionKind: FusionKind { .reduction }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try checkArity(inputs)
        let layout = try ChannelLayout(input: 0, of: inputs)
        try layout.checkChannelVector(inputs, 1, role: "gamma")
        try layout.checkChannelVector(inputs, 2, role: "beta")
        guard layout.countPerChannel > 1 else {
            throw ShapeError(
                "input 0 of shape \(inputs[0].shape) has 1 value per channel; batch statistics need more than 1")
        }
        try checkEpsilon(attributes)
        return inputs[0]
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let layout = ChannelLayout(signature.inputs[0].shape)
        let eps = signature.attributes.float("eps", default: 1e-5)
        let x = inputs[0].values, gamma = inputs[1].values, beta = inputs[2].values
        var values = [Double](repeating: 0, count: x.count)
        for c in 0..<layout.channels {
            let indices = (0..<layout.batch).flatMap { n in
                (0..<layout.inner).map { (n * layout.channels + c) * layout.inner + $0 }
            }
            let count = Double(indices.count)
            let mean = indices.reduce(0) { $0 + x[$1] } / count
            let variance = indices.reduce(0) { $0 + (x[$1] - mean) * (x[$1] - mean) } / count
            let deviation = (variance + eps).squareRoot()
            for index in indices { values[index] = gamma[c] * (x[index] - mean) / deviation + beta[c] }
        }
        return ReferenceTensor(signature.output, values)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let layout = ChannelLayout(kernel.signature.inputs[0].shape)
        let eps = CLiteral.float(kernel.attributes.float("eps", default: 1e-5))
        let x = kernel.inputs, y = kernel.output
        let count = CLiteral.float(Double(layout.countPerChannel))
        kernel.writer.loop("c", count: layout.channels) { channel in
            channel.line("float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;")
            Self.emitChannelPass(&channel, layout, input: x[0]) { "s\($0) += \($1);" }
            channel.line("float mean = ((s0 + s1) + (s2 + s3)) / \(count);")
            channel.line("float q0 = 0.0f, q1 = 0.0f, q2 = 0.0f, q3 = 0.0f;")
            Self.emitChannelPass(&channel, layout, input: x[0]) { "float d\($0) = \($1) - mean; q\($0) += d\($0) * d\($0);" }
            channel.line("float variance = ((q0 + q1) + (q2 + q3)) / \(count);")
            channel.line("float scale = \(x[1])[c] / sqrtf(variance + \(eps));")
            channel.line("float shift = \(x[2])[c] - mean * scale;")
            channel.loop("n", count: layout.batch) { batch in
                batch.line("long base = (n * \(layout.channels) + c) * \(layout.inner);")
                batch.loop("i", count: layout.inner) { inner in
                    inner.line("\(y)[base + i] = \(x[0])[base + i] * scale + shift;")
                }
            }
        }
    }

    /// Writes a loop over one channel's values (`c` is the channel variable) with four
    /// accumulators: `statement(k, value)` adds `value` to accumulator k. The inner axis is
    /// unrolled by four; with no inner axis (rank 2), the batch axis is.
    static func emitChannelPass(
        _ writer: inout CWriter, _ layout: ChannelLayout, input: String, _ statement: (Int, String) -> String
    ) {
        if layout.inner == 1 {
            emitUnrolled(&writer, extent: layout.batch, variable: "n", statement) { n in
                "\(input)[(\(n)) * \(layout.channels) + c]"
            }
            return
        }
        writer.loop("n", count: layout.batch) { batch in
            batch.line("const float *KILN_RESTRICT row = \(input) + (n * \(layout.channels) + c) * \(layout.inner);")
            emitUnrolled(&batch, extent: layout.inner, variable: "i", statement) { i in "row[\(i)]" }
        }
    }

    /// A loop over `0..<extent` unrolled by four into accumulators 0...3, and its remainder into 0.
    static func emitUnrolled(
        _ writer: inout CWriter, extent: Int, variable v: String, _ statement: (Int, String) -> String,
        element: (String) -> String
    ) {
        let whole = extent - extent % 4
        if whole > 0 {
            writer.block("for (long \(v) = 0; \(v) < \(whole); \(v) += 4)") { body in
                for k in 0..<4 { body.line(statement(k, element(k == 0 ? v : "\(v) + \(k)"))) }
            }
        }
        if whole < extent {
            writer.block("for (long \(v) = \(whole); \(v) < \(extent); \(v)++)") { body in
                body.line(statement(0, element(v)))
            }
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        let layout = ChannelLayout(signature.inputs[0].shape)
        // Per element: one add (mean), subtract, multiply-add (variance), multiply-add (output).
        return OperatorCost(
            flops: 6 * signature.output.shape.elementCount + 6 * layout.channels,
            bytesRead: 3 * signature.inputs[0].byteCount + signature.inputs[1].byteCount + signature.inputs[2].byteCount,
            bytesWritten: signature.output.byteCount)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let x = context.input(0), gamma = context.input(1)
        let layout = ChannelLayout(context.type(of: x).shape)
        let eps = context.node.attributes.float("eps", default: 1e-5)
        let keep: Attributes = ["axes": .ints(layout.reducedAxes), "keepdims": .bool(true)]
        let channelShape: Attributes = ["shape": .ints(layout.channelShape)]
        let vectorShape: Attributes = ["shape": .ints([layout.channels])]
        let gradient = context.outputGradient
        let mean = try context.add("mean", [x], attributes: keep)
        let centered = try context.add("sub", [x, mean])
        let variance = try context.add("mean", [try context.add("square", [centered])], attributes: keep)
        let inverseDeviation = try context.add("rsqrt", [try context.add("add", [variance, context.scalar(eps)])])
        let normalized = try context.add("mul", [centered, inverseDeviation])
        let sumGradient = try context.add("sum", [gradient], attributes: keep)
        let sumProduct = try context.add("sum", [try context.add("mul", [gradient, normalized])], attributes: keep)
        let inverseCount = context.scalar(1 / Double(layout.countPerChannel))
        let meanGradient = try context.add("mul", [sumGradient, inverseCount])
        let meanProduct = try context.add("mul", [sumProduct, inverseCount])
        let projected = try context.add(
            "sub", [try context.add("sub", [gradient, meanGradient]), try context.add("mul", [normalized, meanProduct])])
        let broadcastGamma = try context.add("reshape", [gamma], attributes: channelShape)
        let scale = try context.add("mul", [broadcastGamma, inverseDeviation])
        return [
            try context.add("mul", [scale, projected]),
            try context.add("reshape", [sumProduct], attributes: vectorShape),
            try context.add("reshape", [sumGradient], attributes: vectorShape),
        ]
    }

    public var testCases: [OperatorTestCase] {
        let domains: [ClosedRange<Double>] = [-2...2, 0.5...1.5, -1...1]
        return [
            OperatorTestCase("nchw", inputs: [.f32(2, 3, 4, 5), .f32(3), .f32(3)], domains: domains),
            OperatorTestCase("nc", inputs: [.f32(6, 3), .f32(3), .f32(3)], domains: domains),
            OperatorTestCase("odd-inner", inputs: [.f32(3, 2, 3), .f32(2), .f32(2)], domains: domains),
            OperatorTestCase("batch-1", inputs: [.f32(1, 2, 2, 2), .f32(2), .f32(2)], domains: domains),
            OperatorTestCase(
                "eps", inputs: [.f32(5, 1), .f32(1), .f32(1)], attributes: ["eps": .float(0.5)], domains: domains),
        ]
    }
}
