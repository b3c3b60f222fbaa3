import Kiln
import KilnIR
import KilnOps
import Testing

/// Every registered operator is reachable from the DSL, as a free function and as a method on
/// `Tensor`, and both spell the same graph.
@Suite struct DSLCoverageTests {
    /// One DSL entry: the operator it must produce, built once through the function and once
    /// through the method from the same inputs.
    struct Entry: CustomTestStringConvertible, Sendable {
        let mnemonic: String
        let function: @Sendable (GraphContext) -> Tensor
        let method: @Sendable (GraphContext) -> Tensor
        var testDescription: String { mnemonic }

        init(
            _ mnemonic: String, function: @escaping @Sendable (GraphContext) -> Tensor,
            method: @escaping @Sendable (GraphContext) -> Tensor
        ) {
            self.mnemonic = mnemonic
            self.function = function
            self.method = method
        }
    }

    /// Operators a user does not call: gradients and training forms the autodiff and the layers
    /// insert, the dropout mask's random source (`Dropout`), and the gradient exchange.
    static let internalOperators: Set<String> = [
        "adaptive_avg_pool2d_backward", "avg_pool2d_backward", "batch_norm_train", "conv2d_backward_input",
        "conv2d_backward_weight", "deform_conv2d_backward", "gather_grad", "max_pool2d_backward",
        "max_unpool2d_backward", "upsample_bilinear2d_backward", "upsample_nearest2d_backward", "random_uniform",
        // Inserted by the winograd-selection pass for the convolutions the kernel plan assigns to Winograd.
        "winograd_filter", "conv2d_winograd",
        // The gradient exchange a distributed Trainer inserts between backward and update.
        "allreduce_mean", "allreduce_start", "allreduce_wait",
        // The LSTM layer's kernel and its gradient (`LSTM`, `recurrentLayer(.lstm, ...)`).
        "lstm_sequence", "lstm_sequence_backward",
    ]

    static func image(_ g: GraphContext, channels: Int = 4) -> Tensor { g.input("x", [1, channels, 6, 6]) }
    static func matrix(_ g: GraphContext) -> Tensor { g.input("x", [2, 6]) }
    static func unary(_ mnemonic: String, _ function: @escaping @Sendable (Tensor) -> Tensor, _ method: @escaping @Sendable (Tensor) -> Tensor) -> Entry {
        Entry(mnemonic, function: { function(matrix($0)) }, method: { method(matrix($0)) })
    }
    static func binary(
        _ mnemonic: String, _ function: @escaping @Sendable (Tensor, Tensor) -> Tensor,
        _ method: @escaping @Sendable (Tensor, Tensor) -> Tensor
    ) -> Entry {
        Entry(mnemonic, function: { g in function(matrix(g), g.input("b", [6])) }, method: { g in method(matrix(g), g.input("b", [6])) })
    }
    static func pooling(_ mnemonic: String, _ function: @escaping @Sendable (Tensor) -> Tensor, _ method: @escaping @Sendable (Tensor) -> Tensor) -> Entry {
        Entry(mnemonic, function: { function(image($0)) }, method: { method(image($0)) })
    }
    static func channel(_ g: GraphContext, _ name: String) -> Tensor { g.input(name, [4]) }

    static let entries: [Entry] = [
        unary("neg", { negated($0) }, { $0.negated() }), unary("abs", { abs($0) }, { $0.abs() }),
        unary("exp", { exp($0) }, { $0.exp() }), unary("log", { log($0) }, { $0.log() }),
        unary("sqrt", { sqrt($0) }, { $0.sqrt() }), unary("rsqrt", { rsqrt($0) }, { $0.rsqrt() }),
        unary("square", { square($0) }, { $0.square() }), unary("reciprocal", { reciprocal($0) }, { $0.reciprocal() }),
        unary("sin", { sin($0) }, { $0.sin() }), unary("cos", { cos($0) }, { $0.cos() }),
        unary("relu", { relu($0) }, { $0.relu() }), unary("sigmoid", { sigmoid($0) }, { $0.sigmoid() }),
        unary("tanh", { tanh($0) }, { $0.tanh() }), unary("erf", { erf($0) }, { $0.erf() }),
        unary("floor", { floor($0) }, { $0.floor() }), unary("ceil", { ceil($0) }, { $0.ceil() }),
        unary("stop_gradient", { stopGradient($0) }, { $0.stopGradient() }),
        unary("round", { round($0) }, { $0.round() }),
        unary("cast", { cast($0, to: .int64) }, { $0.cast(to: .int64) }),
        unary("leaky_relu", { leakyRelu($0, alpha: 0.1) }, { $0.leakyRelu(alpha: 0.1) }),
        binary("prelu", { prelu($0, slope: $1) }, { $0.prelu(slope: $1) }),
        unary("elu", { elu($0) }, { $0.elu() }), unary("selu", { selu($0) }, { $0.selu() }),
        unary("silu", { silu($0) }, { $0.silu() }), unary("swish", { swish($0, beta: 2) }, { $0.swish(beta: 2) }),
        unary("mish", { mish($0) }, { $0.mish() }), unary("relu6", { relu6($0) }, { $0.relu6() }),
        unary("hard_sigmoid", { hardSigmoid($0) }, { $0.hardSigmoid() }), unary("hard_swish", { hardSwish($0) }, { $0.hardSwish() }),
        unary("gelu", { gelu($0, approximateTanh: true) }, { $0.gelu(approximateTanh: true) }),
        unary("softplus", { softplus($0) }, { $0.softplus() }),
        unary("maxout", { maxout($0, pieces: 3) }, { $0.maxout(pieces: 3) }),
        Entry(
            "batch_norm",
            function: { g in batchNorm(image(g), gamma: channel(g, "g"), beta: channel(g, "b"), mean: channel(g, "m"), variance: channel(g, "v")) },
            method: { g in image(g).batchNorm(gamma: channel(g, "g"), beta: channel(g, "b"), mean: channel(g, "m"), variance: channel(g, "v")) }),
        pooling("channel_window_sum", { localResponseNorm($0, size: 3) }, { $0.localResponseNorm(size: 3) }),
        binary("add", { $0 + $1 }, { $0.adding($1) }), binary("sub", { $0 - $1 }, { $0.subtracting($1) }),
        binary("mul", { $0 * $1 }, { $0.multiplying($1) }), binary("div", { $0 / $1 }, { $0.dividing($1) }),
        binary("pow", { pow($0, $1) }, { $0.pow($1) }),
        binary("maximum", { maximum($0, $1) }, { $0.maximum($1) }), binary("minimum", { minimum($0, $1) }, { $0.minimum($1) }),
        binary("equal", { $0.equal($1) }, { $0.equal($1) }), binary("not_equal", { $0.notEqual($1) }, { $0.notEqual($1) }),
        binary("less", { $0.less($1) }, { $0.less($1) }), binary("less_equal", { $0.lessEqual($1) }, { $0.lessEqual($1) }),
        binary("greater", { $0.greater($1) }, { $0.greater($1) }),
        binary("greater_equal", { $0.greaterEqual($1) }, { $0.greaterEqual($1) }),
        binary("where", { `where`($0, $1, $0) }, { $0.selecting($1, else: $0) }),
        Entry("matmul", function: { g in matmul(matrix(g), g.input("w", [6, 3])) }, method: { g in matrix(g).matmul(g.input("w", [6, 3])) }),
        unary("sum", { sum($0, axes: [1]) }, { $0.sum(axes: [1]) }), unary("mean", { mean($0) }, { $0.mean() }),
        unary("max", { max($0, axes: [0]) }, { $0.max(axes: [0]) }), unary("min", { min($0, axes: [0]) }, { $0.min(axes: [0]) }),
        unary("argmax", { argmax($0, axis: 1) }, { $0.argmax(axis: 1) }),
        unary("softmax", { softmax($0) }, { $0.softmax() }), unary("log_softmax", { logSoftmax($0) }, { $0.logSoftmax() }),
        unary("reshape", { reshape($0, [3, 4]) }, { $0.reshaped([3, 4]) }),
        unary("transpose", { transpose($0) }, { $0.transposed() }),
        unary("expand", { expand($0, to: [3, 2, 6]) }, { $0.expanded(to: [3, 2, 6]) }),
        unary("slice", { slice($0, starts: [1], ends: [4], axes: [1]) }, { $0.sliced(starts: [1], ends: [4], axes: [1]) }),
        unary("concat", { concat([$0, $0], axis: 0) }, { $0.concatenated(with: [$0], axis: 0) }),
        unary("pad", { pad($0, [0, 1, 0, 1]) }, { $0.padded([0, 1, 0, 1]) }),
        Entry(
            "gather", function: { g in gather(matrix(g), g.input("i", [3], dtype: .int64)) },
            method: { g in matrix(g).gathered(g.input("i", [3], dtype: .int64)) }),
        Entry(
            "one_hot", function: { g in oneHot(g.input("i", [3], dtype: .int64), classes: 5) },
            method: { g in g.input("i", [3], dtype: .int64).oneHot(classes: 5) }),
        Entry(
            "conv2d", function: { g in conv2d(image(g), weight: g.input("w", [2, 4, 3, 3]), padding: 1) },
            method: { g in image(g).conv2d(weight: g.input("w", [2, 4, 3, 3]), padding: 1) }),
        Entry(
            "conv_transpose2d", function: { g in convTranspose2d(image(g), weight: g.input("w", [4, 2, 3, 3]), stride: 2) },
            method: { g in image(g).convTranspose2d(weight: g.input("w", [4, 2, 3, 3]), stride: 2) }),
        Entry(
            "deform_conv2d",
            function: { g in deformConv2d(image(g), offset: g.input("o", [1, 18, 4, 4]), weight: g.input("w", [2, 4, 3, 3])) },
            method: { g in image(g).deformConv2d(offset: g.input("o", [1, 18, 4, 4]), weight: g.input("w", [2, 4, 3, 3])) }),
        pooling("max_pool2d", { maxPool2d($0, kernel: 2) }, { $0.maxPool2d(kernel: 2) }),
        pooling("max_pool2d_indices", { maxPool2dIndices($0, kernel: 2) }, { $0.maxPool2dIndices(kernel: 2) }),
        Entry(
            "max_unpool2d",
            function: { g in maxUnpool2d(image(g), indices: g.input("i", [1, 4, 6, 6], dtype: .int64), outputSize: 12) },
            method: { g in image(g).maxUnpool2d(indices: g.input("i", [1, 4, 6, 6], dtype: .int64), outputSize: 12) }),
        pooling("avg_pool2d", { avgPool2d($0, kernel: 3, stride: 1, padding: 1) }, { $0.avgPool2d(kernel: 3, stride: 1, padding: 1) }),
        pooling("global_avg_pool", { globalAvgPool($0) }, { $0.globalAvgPool() }),
        pooling("global_max_pool", { globalMaxPool($0) }, { $0.globalMaxPool() }),
        pooling("adaptive_avg_pool2d", { adaptiveAvgPool2d($0, outputSize: 4) }, { $0.adaptiveAvgPool2d(outputSize: 4) }),
        pooling("lp_pool2d", { lpPool2d($0, kernel: 2, p: 3) }, { $0.lpPool2d(kernel: 2, p: 3) }),
        pooling("soft_pool2d", { softPool2d($0, kernel: [2, 3]) }, { $0.softPool2d(kernel: [2, 3]) }),
        pooling("mixed_pool2d", { mixedPool2d($0, kernel: 2, lambda: 0.3) }, { $0.mixedPool2d(kernel: 2, lambda: 0.3) }),
        pooling("stochastic_pool2d", { stochasticPool2d($0, kernel: 2) }, { $0.stochasticPool2d(kernel: 2) }),
        pooling("median_pool2d", { medianPool2d($0, kernel: 3, stride: 1, padding: 1) }, { $0.medianPool2d(kernel: 3, stride: 1, padding: 1) }),
        pooling("upsample_nearest2d", { upsampleNearest2d($0, .scale(2)) }, { $0.upsampleNearest2d(.scale(2)) }),
        pooling(
            "upsample_bilinear2d", { upsampleBilinear2d($0, .size([9, 12]), alignCorners: true) },
            { $0.upsampleBilinear2d(.size([9, 12]), alignCorners: true) }),
    ]

    /// The image filters are composites over the pooling and convolution operators.
    @Test(arguments: [(ImageFilter.gaussian, "conv2d"), (.mean(size: 3), "avg_pool2d"), (.median(size: 3), "median_pool2d"),
                      (.max(size: 3), "max_pool2d"), (.min(size: 5), "max_pool2d")])
    func imageFiltersKeepTheSize(_ kind: ImageFilter, _ mnemonic: String) {
        let viaFunction = Model("function") { g in g.output("y", filter(Self.image(g), kind)) }
        let viaMethod = Model("method") { g in g.output("y", Self.image(g).filtered(kind)) }
        #expect(viaFunction.buildError == nil)
        #expect(viaFunction.graph.nodes.contains { $0.op == mnemonic })
        #expect(viaFunction.graph.outputs.map { viaFunction.graph[$0.node].type.shape } == [[1, 4, 6, 6]])
        #expect(Self.structure(viaFunction) == Self.structure(viaMethod))
    }

    @Test func everyOperatorHasAnEntry() {
        let covered = Set(Self.entries.map(\.mnemonic)).union(Self.internalOperators)
        let missing = OperatorRegistry.all.map(\.mnemonic).filter { !covered.contains($0) }
        #expect(missing.isEmpty, "operators with no DSL entry: \(missing)")
    }

    /// The operators of `model`'s graph with their attributes, in order (names and source lines
    /// differ between the function and the method spelling).
    static func structure(_ model: Model) -> [NodeStructure] {
        model.graph.nodes.map { NodeStructure(op: $0.op, attributes: $0.attributes, inputs: $0.inputs, type: $0.type) }
    }

    /// A node without its name and provenance.
    struct NodeStructure: Equatable {
        let op: String
        let attributes: Attributes
        let inputs: [NodeID]
        let type: TensorType
    }

    @Test(arguments: entries)
    func functionAndMethodBuildTheSameGraph(_ entry: Entry) throws {
        let viaFunction = Model("function") { g in g.output("y", entry.function(g)) }
        let viaMethod = Model("method") { g in g.output("y", entry.method(g)) }
        #expect(viaFunction.buildError == nil, "\(viaFunction.buildError.map(String.init(describing:)) ?? "")")
        #expect(viaMethod.buildError == nil, "\(viaMethod.buildError.map(String.init(describing:)) ?? "")")
        #expect(viaFunction.graph.nodes.contains { $0.op == entry.mnemonic })
        #expect(Self.structure(viaFunction) == Self.structure(viaMethod))
    }
}
