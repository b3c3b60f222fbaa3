import KilnIR
import KilnOps
import KilnPasses
import Kiln
import KilnTestSupport
import Testing

/// Batch-norm folding: Conv→BN (→ReLU) and Linear→BN fold into the layer's weights and bias;
/// Conv→ReLU→BN does not (seed catalog §5.5), and a training step is left alone.
@Suite struct BatchNormFoldingTests {
    static let convolution = """
        graph convbn {
          %0 = input() : f32[2,3,8,8] name="x"
          %1 = param() : f32[4,3,3,3] name="w"
          %2 = param() : f32[4] name="b"
          %3 = conv2d(%0, %1, %2) {padding=1} : f32[2,4,8,8] name="conv"
          %4 = param() : f32[4] name="gamma"
          %5 = param() : f32[4] name="beta"
          %6 = param() : f32[4] name="mean"
          %7 = param() : f32[4] name="var"
          %8 = batch_norm(%3, %4, %5, %6, %7) {eps=0.001} : f32[2,4,8,8] name="bn"
          %9 = relu(%8) : f32[2,4,8,8] name="y"
          output "y" = %9
        }
        """

    static let reluBetween = """
        graph convrelubn {
          %0 = input() : f32[2,3,8,8] name="x"
          %1 = param() : f32[4,3,3,3] name="w"
          %2 = conv2d(%0, %1) {padding=1} : f32[2,4,8,8] name="conv"
          %3 = relu(%2) : f32[2,4,8,8] name="relu"
          %4 = param() : f32[4] name="gamma"
          %5 = param() : f32[4] name="beta"
          %6 = param() : f32[4] name="mean"
          %7 = param() : f32[4] name="var"
          %8 = batch_norm(%3, %4, %5, %6, %7) : f32[2,4,8,8] name="y"
          output "y" = %8
        }

        """

    static let linear = """
        graph linearbn {
          %0 = input() : f32[5,3] name="x"
          %1 = param() : f32[3,4] name="w"
          %2 = param() : f32[4] name="b"
          %3 = matmul(%0, %1) : f32[5,4] name="mm"
          %4 = add(%3, %2) : f32[5,4] name="fc"
          %5 = param() : f32[4] name="gamma"
          %6 = param() : f32[4] name="beta"
          %7 = param() : f32[4] name="mean"
          %8 = param() : f32[4] name="var"
          %9 = batch_norm(%4, %5, %6, %7, %8) : f32[5,4] name="bn"
          output "y" = %9
        }
        """

    @Test func convBatchNormReluFolds() throws {
        try expectRewrite([.batchNormFolding, .deadCodeElimination], Self.convolution, """
            graph convbn {
              %0 = input() : f32[2,3,8,8] name="x"
              %1 = param() : f32[4,3,3,3] name="w"
              %2 = param() : f32[4] name="b"
              %3 = param() : f32[4] name="gamma"
              %4 = param() : f32[4] name="beta"
              %5 = param() : f32[4] name="mean"
              %6 = param() : f32[4] name="var"
              %7 = const() {value=f[0.001]} : f32[] name="bn.folded.eps"
              %8 = add(%6, %7) : f32[4] name="bn.folded.add"
              %9 = rsqrt(%8) : f32[4] name="bn.folded.rsqrt"
              %10 = mul(%3, %9) : f32[4] name="bn.folded.mul"
              %11 = reshape(%10) {shape=[4,1,1,1]} : f32[4,1,1,1] name="bn.folded.reshape"
              %12 = mul(%1, %11) : f32[4,3,3,3] name="bn.folded.mul_1"
              %13 = sub(%2, %5) : f32[4] name="bn.folded.sub"
              %14 = mul(%13, %10) : f32[4] name="bn.folded.mul_2"
              %15 = add(%14, %4) : f32[4] name="bn.folded.add_1"
              %16 = conv2d(%0, %12, %15) {padding=1} : f32[2,4,8,8] name="conv.folded"
              %17 = relu(%16) : f32[2,4,8,8] name="y"
              output "y" = %17
            }

            """)
    }

    @Test func convReluBatchNormDoesNotFold() throws {
        try expectRewrite([.batchNormFolding, .deadCodeElimination], Self.reluBetween, Self.reluBetween)
    }

    @Test func linearBatchNormFolds() throws {
        try expectRewrite([.batchNormFolding, .deadCodeElimination], Self.linear, """
            graph linearbn {
              %0 = input() : f32[5,3] name="x"
              %1 = param() : f32[3,4] name="w"
              %2 = param() : f32[4] name="b"
              %3 = param() : f32[4] name="gamma"
              %4 = param() : f32[4] name="beta"
              %5 = param() : f32[4] name="mean"
              %6 = param() : f32[4] name="var"
              %7 = const() {value=f[1e-05]} : f32[] name="bn.folded.eps"
              %8 = add(%6, %7) : f32[4] name="bn.folded.add"
              %9 = rsqrt(%8) : f32[4] name="bn.folded.rsqrt"
              %10 = mul(%3, %9) : f32[4] name="bn.folded.mul"
              %11 = reshape(%10) {shape=[1,4]} : f32[1,4] name="bn.folded.reshape"
              %12 = mul(%1, %11) : f32[3,4] name="bn.folded.mul_1"
              %13 = matmul(%0, %12) : f32[5,4] name="mm.folded"
              %14 = sub(%2, %5) : f32[4] name="bn.folded.sub"
              %15 = mul(%14, %10) : f32[4] name="bn.folded.mul_2"
              %16 = add(%15, %4) : f32[4] name="bn.folded.add_1"
              %17 = add(%13, %16) : f32[5,4] name="fc.folded"
              output "y" = %17
            }

            """)
    }

    @Test func trainingStepsAreLeftAlone() throws {
        let text = try applying([], to: Self.convolution)
        try expectRewrite([.batchNormFolding], Self.convolution, text, context: PassContext(isTraining: true))
    }

    /// Positive variances, so that the normalization is defined.
    static func parameters(_ graph: Graph) -> [String: TensorValue] {
        Dictionary(uniqueKeysWithValues: graph.parameters.map { node in
            let low = node.name == "var" ? 0.5 : -1.0
            return (node.name, TensorValue.random(node.type, seed: UInt64(node.id.index), low: low, high: 1.5))
        })
    }

    @Test(arguments: [convolution, reluBetween, linear])
    func foldedComputesWhatUnfoldedDoes(text: String) throws {
        let graph = try GraphParser.parse(text)
        let feeds = [Dictionary(uniqueKeysWithValues: graph.inputs.map { ($0.name, TensorValue.random($0.type, seed: 9)) })]
        #expect(try OptimizationHarness.worstError(graph, parameters: Self.parameters(graph), feeds: feeds) <= 1e-5)
    }

    @Test func foldedConvolutionTakesTheReluAsItsEpilogueAndUnfoldedBatchNormFuses() throws {
        let folded = try GraphOptimizer.optimize(try GraphParser.parse(Self.convolution))
        let convolutionKernel = try #require(folded.fusion.kernels.first { folded.graph[$0.primary ?? $0.nodes[0]].op == "conv2d" })
        #expect(convolutionKernel.nodes.map { folded.graph[$0].op } == ["conv2d", "relu"])
        let unfolded = try GraphOptimizer.optimize(try GraphParser.parse(Self.reluBetween))
        #expect(unfolded.fusion.kernels.map { $0.nodes.map { unfolded.graph[$0].op } } == [["conv2d", "relu", "batch_norm"]])
    }

    @Test func foldedWeightsArePreparedOnceAndAgainWhenParametersChange() throws {
        let graph = try GraphParser.parse(Self.convolution)
        let parameters = Self.parameters(graph)
        let (optimized, plan) = try OptimizationHarness.executable(graph, parameters: parameters)
        let preparation = plan.fusion.kernels.prefix { $0.isPreparation }
        #expect(preparation.count >= 1)
        #expect(preparation.allSatisfy { kernel in kernel.nodes.allSatisfy { plan.graph[$0].op != "conv2d" } })
        #expect(plan.fusion.kernels.filter { !$0.isPreparation }.map { $0.nodes.map { plan.graph[$0].op } } == [["conv2d", "relu"]])
        let plain = try OptimizationHarness.executable(graph, parameters: parameters, options: .none).executable
        let feed = ["x": TensorValue.random(.f32(2, 3, 8, 8), seed: 3)]
        for gamma in [nil, TensorValue(shape: [4], floats: [2, -1, 0.5, 3])] {
            if let gamma {
                try optimized.setParameter("gamma", gamma)
                try plain.setParameter("gamma", gamma)
            }
            let expected = try #require(try plain.run(feed)["y"]), actual = try #require(try optimized.run(feed)["y"])
            #expect(Approximate.normwiseRelativeError(actual.doubles, expected.doubles) <= 1e-5)
        }
    }
}
