import KilnAnalysis
import KilnIR
import KilnOps
import Testing

/// The catalog's §5.6 convolutions as kernels on the fixed machine (150 GFLOP/s, 20 GB/s, ridge
/// 7.5 FLOP/B): bytes are input + output + weights, each once; FLOPs = 2·MACs.
@Suite struct ConvolutionCostTests {
    let machine = GraphFixtures.machine
    let image: Shape = [1, 64, 56, 56]  // 200,704 elements, 802,816 bytes

    @Test func threeByThreeConvolutionIsComputeBound() throws {
        let kernel = try GraphFixtures.kernel(
            GraphFixtures.single("conv2d", inputs: [image], parameters: [[64, 64, 3, 3]], attributes: ["padding": .ints([1])]))
        #expect(kernel.macs == 115_605_504)
        #expect(kernel.flops == 231_211_008)
        #expect(kernel.bytes == 802_816 + 802_816 + 147_456)
        #expect(kernel.parameters == 36_864)
        #expect(abs(kernel.intensity - 131.89) < 0.01)
        #expect(machine.bound(intensity: kernel.intensity) == .compute)
    }

    @Test func pointwiseConvolutionIsComputeBoundOnThisCPU() throws {
        let kernel = try GraphFixtures.kernel(GraphFixtures.single("conv2d", inputs: [image], parameters: [[256, 64, 1, 1]]))
        #expect(kernel.macs == 51_380_224)
        #expect(kernel.bytes == 802_816 + 3_211_264 + 65_536)
        #expect(abs(kernel.intensity - 25.19) < 0.01)
        #expect(machine.bound(intensity: kernel.intensity) == .compute)
    }

    @Test func depthwiseConvolutionIsMemoryBound() throws {
        let kernel = try GraphFixtures.kernel(GraphFixtures.single(
            "conv2d", inputs: [image], parameters: [[64, 1, 3, 3]], attributes: ["padding": .ints([1]), "groups": .int(64)]))
        #expect(kernel.macs == 1_806_336)
        #expect(kernel.bytes == 802_816 + 802_816 + 2304)
        #expect(abs(kernel.intensity - 2.247) < 0.001)
        #expect(machine.bound(intensity: kernel.intensity) == .memory)
    }

    @Test func transposedConvolutionIsComputeBound() throws {
        // 64 → 32 channels, 28×28 → 56×56 with a 4×4 kernel, stride 2, padding 1.
        let kernel = try GraphFixtures.kernel(GraphFixtures.single(
            "conv_transpose2d", inputs: [[1, 64, 28, 28]], parameters: [[64, 32, 4, 4]],
            attributes: ["stride": .ints([2, 2]), "padding": .ints([1])]))
        #expect(kernel.output == TensorType(.float32, [1, 32, 56, 56]))
        #expect(kernel.macs == 64 * 28 * 28 * 32 * 16)
        #expect(kernel.bytes == (64 * 28 * 28 + 64 * 32 * 16 + 32 * 56 * 56) * 4)
        #expect(machine.bound(intensity: kernel.intensity) == .compute)
    }

    @Test func poolingAndBatchNormAreMemoryBound() throws {
        let pool = try GraphFixtures.kernel(
            GraphFixtures.single("max_pool2d", inputs: [image], attributes: ["kernel_size": .ints([2, 2])]))
        #expect(pool.flops == 28 * 28 * 64 * 4)
        #expect(pool.bytes == 802_816 + 200_704)
        #expect(machine.bound(intensity: pool.intensity) == .memory)

        let norm = try GraphFixtures.kernel(GraphFixtures.single(
            "batch_norm", inputs: [image], parameters: [[64], [64], [64], [64]]))
        #expect(norm.flops == 2 * 200_704 + 5 * 64)
        #expect(norm.bytes == 2 * 802_816 + 4 * 256)
        #expect(machine.bound(intensity: norm.intensity) == .memory)
    }

    @Test func convolutionWithItsReluEpilogueWritesOnce() throws {
        var builder = GraphBuilder(name: "conv_relu")
        let x = builder.leaf(Node.inputOp, type: TensorType(.float32, image), name: "x")
        let w = builder.leaf(Node.parameterOp, type: TensorType(.float32, [64, 64, 3, 3]), name: "w")
        let b = builder.leaf(Node.parameterOp, type: TensorType(.float32, [64]), name: "b")
        let conv = try builder.add("conv2d", [x, w, b], attributes: ["padding": .ints([1])])
        let y = try builder.add("relu", [conv])
        builder.graph.outputs = [GraphOutput(name: "y", node: y)]
        let kernel = try CostReport(graph: builder.graph, kernels: [KernelGroup(name: "k000_conv2d_relu", nodes: [conv, y])]).kernels[0]
        #expect(kernel.flops == 231_211_008 + 200_704 + 200_704)  // bias adds and ReLU
        #expect(kernel.bytes == 802_816 + 147_456 + 256 + 802_816)
        #expect(kernel.parameters == 36_928)
    }
}
