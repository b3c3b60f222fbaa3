import KilnCodegen
import KilnIR
import KilnOps
import KilnTestSupport
import Testing

/// Known values of the convolution operators (seed catalog §5.2, §5.3, §6), their error
/// messages and the C strategy each shape gets (gradients: GradientConformanceTests).
@Suite struct ConvolutionTests {
    private func outputShape(
        _ op: any Operator, _ inputs: [TensorType], _ attributes: Attributes = [:]
    ) throws -> Shape {
        try op.inferType(inputs, attributes).shape
    }

    private func cost(_ op: any Operator, _ inputs: [TensorType], _ attributes: Attributes = [:]) throws -> OperatorCost {
        let output = try op.inferType(inputs, attributes)
        return op.cost(OperatorSignature(inputs: inputs, attributes: attributes, output: output))
    }

    @Test func fiveByFiveAndTwoThreeByThreeBothTake28To24() throws {
        #expect(try outputShape(Conv2D(), [.f32(1, 1, 28, 28), .f32(1, 1, 5, 5)]) == [1, 1, 24, 24])
        let first = try outputShape(Conv2D(), [.f32(1, 1, 28, 28), .f32(1, 1, 3, 3)])
        #expect(first == [1, 1, 26, 26])
        #expect(try outputShape(Conv2D(), [TensorType(.float32, first), .f32(1, 1, 3, 3)]) == [1, 1, 24, 24])
    }

    @Test func outputSizeFormulaWithStridePaddingAndDilation() throws {
        // ⌊(I + pads − d·(k−1) − 1)/s⌋ + 1: H = ⌊(10 + 1 + 2 − 4 − 1)/2⌋ + 1 = 5, W = ⌊(9 + 0 + 0 − 2 − 1)/3⌋ + 1 = 3.
        let attributes: Attributes = ["stride": .ints([2, 3]), "padding": .ints([1, 0, 2, 0]), "dilation": .ints([2, 1])]
        #expect(try outputShape(Conv2D(), [.f32(1, 1, 10, 9), .f32(1, 1, 3, 3)], attributes) == [1, 1, 5, 3])
        // Same padding (k−1)/2 keeps the size.
        #expect(try outputShape(Conv2D(), [.f32(1, 1, 7, 7), .f32(1, 1, 5, 5)], ["padding": .ints([2])]) == [1, 1, 7, 7])
    }

    @Test func sharedWeightParameterCounts() throws {
        // S1:550–551: one 10×10 kernel with its bias has 101 parameters; six kernels 606.
        for (kernels, expected) in [(1, 101), (6, 606)] {
            var builder = GraphBuilder(name: "shared-weights")
            let image = builder.leaf(Node.inputOp, type: .f32(1, 1, 100, 100), name: "image")
            let weight = builder.leaf(Node.parameterOp, type: .f32(kernels, 1, 10, 10), name: "weight")
            let bias = builder.leaf(Node.parameterOp, type: .f32(kernels), name: "bias")
            let output = try builder.add("conv2d", [image, weight, bias])
            #expect(builder.graph.parameters.reduce(0) { $0 + $1.type.shape.elementCount } == expected)
            #expect(builder.type(of: output).shape == [1, kernels, 91, 91])
        }
    }

    @Test func costsOfTheIntensityTable() throws {
        // Seed catalog §5.6: MACs and FLOP/B of three 56×56×64 convolutions.
        let standard = try cost(Conv2D(), [.f32(1, 64, 56, 56), .f32(64, 64, 3, 3)], ["padding": .ints([1])])
        #expect(standard.macs == 115_605_504)
        #expect(standard.flops == 2 * 115_605_504)
        #expect(abs(standard.arithmeticIntensity - 131.9) < 0.05)
        let pointwise = try cost(Conv2D(), [.f32(1, 64, 56, 56), .f32(256, 64, 1, 1)])
        #expect(pointwise.macs == 51_380_224)
        #expect(abs(pointwise.arithmeticIntensity - 25.2) < 0.05)
        let depthwise = try cost(
            Conv2D(), [.f32(1, 64, 56, 56), .f32(64, 1, 3, 3)], ["padding": .ints([1]), "groups": .int(64)])
        #expect(depthwise.macs == 1_806_336)
        #expect(abs(depthwise.arithmeticIntensity - 2.25) < 0.01)
    }

    @Test func biasAndGroupsInTheCost() throws {
        // Bias adds one FLOP per output element; groups divide the MACs.
        let withBias = try cost(Conv2D(), [.f32(2, 4, 6, 6), .f32(8, 2, 3, 3), .f32(8)], ["groups": .int(2)])
        #expect(withBias.macs == 2 * 8 * 4 * 4 * 2 * 3 * 3)
        #expect(withBias.flops == 2 * withBias.macs + 2 * 8 * 4 * 4)
        #expect(withBias.bytesRead == (2 * 4 * 6 * 6 + 8 * 2 * 3 * 3 + 8) * 4)
        #expect(withBias.bytesWritten == 2 * 8 * 4 * 4 * 4)
    }

    @Test(arguments: [64, 256, 512, 1024])
    func depthwiseSeparableCostRatio(outputChannels: Int) throws {
        // 1/N + 1/Dk² (seed catalog §1.1, §6 #24): depthwise 3×3 then pointwise 1×1 against a standard 3×3.
        let inputs = 32, padding: Attributes = ["padding": .ints([1])]
        let standard = try cost(Conv2D(), [.f32(1, inputs, 14, 14), .f32(outputChannels, inputs, 3, 3)], padding)
        var depthwiseAttributes = padding
        depthwiseAttributes["groups"] = .int(inputs)
        let depthwise = try cost(Conv2D(), [.f32(1, inputs, 14, 14), .f32(inputs, 1, 3, 3)], depthwiseAttributes)
        let pointwise = try cost(Conv2D(), [.f32(1, inputs, 14, 14), .f32(outputChannels, inputs, 1, 1)])
        let ratio = Double(depthwise.macs + pointwise.macs) / Double(standard.macs)
        #expect(abs(ratio - (1 / Double(outputChannels) + 1 / 9)) < 1e-12)
    }

    @Test func transposedConvolutionSizeAndRoundTrip() throws {
        // (I−1)·s − pads + d·(k−1) + output_padding + 1 = 3·2 − 2 + 2 + 1 + 1 = 8, and conv2d maps 8 back to 4.
        let attributes: Attributes = ["stride": .ints([2]), "padding": .ints([1]), "output_padding": .ints([1])]
        let up = try outputShape(ConvTranspose2D(), [.f32(1, 3, 4, 4), .f32(3, 2, 3, 3)], attributes)
        #expect(up == [1, 2, 8, 8])
        let convolution: Attributes = ["stride": .ints([2]), "padding": .ints([1])]
        #expect(try outputShape(Conv2D(), [TensorType(.float32, up), .f32(3, 2, 3, 3)], convolution) == [1, 3, 4, 4])
    }

    @Test func algorithmFollowsTheShape() throws {
        let cases: [(String, [TensorType], Attributes)] = [
            ("1x1-gemm", [.f32(1, 8, 4, 4), .f32(16, 8, 1, 1)], [:]),
            ("depthwise-direct", [.f32(1, 8, 4, 4), .f32(8, 1, 3, 3)], ["groups": .int(8)]),
            ("depthwise-direct", [.f32(1, 8, 4, 4), .f32(16, 1, 3, 3)], ["groups": .int(8)]),
            ("im2col+gemm", [.f32(1, 8, 4, 4), .f32(16, 8, 3, 3)], [:]),
            ("im2col+gemm", [.f32(1, 8, 4, 4), .f32(16, 8, 1, 1)], ["stride": .ints([2])]),
        ]
        for (algorithm, inputs, attributes) in cases {
            let source = try generatedC(Conv2D(), inputs, attributes)
            #expect(source.contains("/* algorithm: \(algorithm) */"), "\(inputs) \(attributes)")
            #expect(source.contains("cblas_sgemm(KILN_ROW_MAJOR") == (algorithm != "depthwise-direct"))
        }
    }

    private func generatedC(_ op: any Operator, _ inputs: [TensorType], _ attributes: Attributes) throws -> String {
        let graph = try OperatorHarness.graph(op, OperatorTestCase("strategy", inputs: inputs, attributes: attributes))
        return try CodeGenerator.generate(graph).source
    }

    @Test func errorMessages() {
        let cases: [(any Operator, [TensorType], Attributes, String)] = [
            (Conv2D(), [.f32(1, 1, 3, 3), .f32(1, 1, 5, 5)], ["padding": .ints([0, 1])],
             "input 0 of shape [1,1,3,3] padded to 3x5 is smaller than the dilated kernel 5x5 of input 1 of shape [1,1,5,5]"),
            (Conv2D(), [.f32(1, 1, 5, 5), .f32(1, 1, 3, 3)], ["dilation": .ints([3])],
             "input 0 of shape [1,1,5,5] padded to 5x5 is smaller than the dilated kernel 7x7 of input 1 of shape [1,1,3,3]"),
            (Conv2D(), [.f32(1, 3, 8, 8), .f32(4, 1, 3, 3)], ["groups": .int(2)],
             "input 0 of shape [1,3,8,8] has 3 channels, not divisible by groups = 2"),
            (Conv2D(), [.f32(1, 4, 8, 8), .f32(3, 2, 3, 3)], ["groups": .int(2)],
             "input 1 of shape [3,2,3,3] has 3 output channels, not divisible by groups = 2"),
            (Conv2D(), [.f32(1, 3, 8, 8), .f32(4, 2, 3, 3)], [:],
             "input 1 has shape [4,2,3,3]; expected 3 input channels per group in dimension 1 (input 0 of shape [1,3,8,8], groups = 1)"),
            (Conv2D(), [.f32(1, 3, 8, 8), .f32(4, 3, 3, 3), .f32(3)], [:],
             "input 2 is f32[3]; expected f32[4], one bias per output channel"),
            (Conv2D(), [.f32(3, 8, 8), .f32(4, 3, 3, 3)], [:], "input 0 has shape [3,8,8]; expected rank 4 (N, C, H, W)"),
            (Conv2D(), [.f32(1, 3, 8, 8), .f32(4, 3, 3, 3)], ["stride": .ints([0])],
             "attribute 'stride' must be 1 or 2 integers of at least 1, got [0]"),
            (Conv2D(), [.f32(1, 3, 8, 8), .f32(4, 3, 3, 3)], ["padding": .ints([1, 1, 1])],
             "attribute 'padding' must be 1, 2 or 4 integers of at least 0 ([top,left,bottom,right]), got [1,1,1]"),
            (Conv2D(), [.f32(1, 3, 8, 8), .f32(4, 3, 3, 3)], ["stride": .floats([2])],
             "attribute 'stride' is f[2.0]; expected a list of integers"),
            (Conv2D(), [.f32(1, 4, 8, 8), .f32(4, 2, 3, 3)], ["groups": .float(2)], "attribute 'groups' is 2.0; expected an integer"),
            (Conv2D(), [.f32(1, 3, 8, 8), .f32(4, 3, 3, 3)], ["dilation": .ints([1 << 40])],
             "attribute 'dilation' holds 1099511627776; expected at most 1073741824"),
            (Conv2D(), [.f32(1, 0, 8, 8), .f32(4, 0, 3, 3)], [:], "input 0 of shape [1,0,8,8] has no channels"),
            (ConvTranspose2D(), [.f32(1, 3, 4, 4), .f32(3, 2, 3, 3)], ["stride": .ints([2]), "output_padding": .ints([2])],
             "attribute 'output_padding' [2,2] must be smaller than the stride [2,2] in each axis"),
            (ConvTranspose2D(), [.f32(1, 3, 4, 4), .f32(2, 2, 3, 3)], [:],
             "input 1 has shape [2,2,3,3]; expected 3 in dimension 0, the channels of input 0 of shape [1,3,4,4]"),
            (ConvTranspose2D(), [.f32(1, 3, 1, 1), .f32(3, 2, 1, 1)], ["padding": .ints([1])],
             "input 0 of shape [1,3,1,1]: the padding [1,1,1,1] leaves an empty output (-1x-1)"),
            (Conv2DBackwardInput(), [.f32(1, 4, 5, 5), .f32(4, 3, 3, 3)], ["input_size": .ints([8, 8])],
             "input 0 has shape [1,4,5,5]; expected spatial size 6x6, the convolution output for attribute 'input_size' [8,8]"),
            (Conv2DBackwardInput(), [.f32(1, 4, 5, 5), .f32(4, 3, 3, 3)], [:], "missing attribute 'input_size'"),
            (Conv2DBackwardWeight(), [.f32(1, 3, 8, 8), .f32(1, 4, 5, 5)], ["kernel_size": .ints([3])],
             "input 1 has shape [1,4,5,5]; expected [1,4,6,6], the convolution output of input 0 of shape [1,3,8,8] with kernel size 3x3"),
        ]
        for (op, inputs, attributes, message) in cases {
            #expect(throws: ShapeError(message)) { try op.inferType(inputs, attributes) }
        }
    }

    @Test func errorNamesTheNode() throws {
        var builder = GraphBuilder(name: "bad")
        let image = builder.leaf(Node.inputOp, type: .f32(1, 3, 8, 8), name: "image")
        let weight = builder.leaf(Node.parameterOp, type: .f32(4, 3, 3, 3), name: "weight")
        do {
            _ = try builder.add("conv2d", [image, weight], attributes: ["groups": .int(2)], name: "conv1")
            Issue.record("a conv2d with 3 channels in 2 groups was accepted")
        } catch {
            #expect(error.description == "conv2d 'conv1': input 0 of shape [1,3,8,8] has 3 channels, not divisible by groups = 2")
        }
    }

    /// The reference output of `op` on `inputs`.
    private func evaluate(_ op: any Operator, _ inputs: [ReferenceTensor], _ attributes: Attributes) throws -> [Double] {
        let types = inputs.map(\.type)
        let output = try op.inferType(types, attributes)
        return op.evaluate(inputs, OperatorSignature(inputs: types, attributes: attributes, output: output)).values
    }

    private func counting(_ shape: Shape, scale: Double = 0.1) -> ReferenceTensor {
        ReferenceTensor(shape: shape, (0..<shape.elementCount).map { Double($0 % 7) * scale - 0.3 })
    }

    @Test func deformableConvolutionWithZeroOffsetsIsConvolution() throws {
        let attributes: Attributes = ["padding": .ints([1, 2, 0, 1]), "dilation": .ints([1, 2]), "groups": .int(2)]
        let x = counting([2, 4, 5, 6]), w = counting([4, 2, 3, 2], scale: 0.2)
        let convolution = try evaluate(Conv2D(), [x, w], attributes)
        // 2 offset groups of 2·3·2 = 12 channels over the 4×7 output.
        let offset = ReferenceTensor(shape: [2, 24, 4, 7], [Double](repeating: 0, count: 2 * 24 * 4 * 7))
        let deformable = try evaluate(DeformConv2D(), [x, offset, w], attributes)
        #expect(deformable.count == convolution.count)
        #expect(zip(deformable, convolution).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test func integerOffsetsShiftTheSamples() throws {
        // A 1×1 kernel whose row offset is +1 everywhere reads the next row (zero past the end).
        let x = ReferenceTensor(shape: [1, 1, 3, 2], [1, 2, 3, 4, 5, 6])
        let w = ReferenceTensor(shape: [1, 1, 1, 1], [1])
        let offset = ReferenceTensor(shape: [1, 2, 3, 2], [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
        #expect(try evaluate(DeformConv2D(), [x, offset, w], [:]) == [3, 4, 5, 6, 0, 0])
        // Half a column to the right interpolates; the last column blends with the zero beyond it.
        let half = ReferenceTensor(shape: [1, 2, 3, 2], [0, 0, 0, 0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5])
        #expect(try evaluate(DeformConv2D(), [x, half, w], [:]) == [1.5, 1, 3.5, 2, 5.5, 3])
    }

    @Test func deformableOffsetFieldShape() throws {
        // A 3×3 kernel takes 2·3·3 = 18 offset channels at the output's size (seed catalog §6 #18).
        let shape = try DeformConv2D().inferType(
            [.f32(1, 8, 10, 10), .f32(1, 18, 10, 10), .f32(16, 8, 3, 3)], ["padding": .ints([1])]).shape
        #expect(shape == [1, 16, 10, 10])
        let cases: [([TensorType], Attributes, String)] = [
            ([.f32(1, 8, 10, 10), .f32(1, 18, 8, 8), .f32(16, 8, 3, 3)], ["padding": .ints([1])],
             "input 1 has shape [1,18,8,8]; expected [1,18·G,10,10]: 18 offsets (2·3·3) per offset group G, "
                + "G dividing the 8 input channels, for each of the 10x10 output positions"),
            ([.f32(1, 8, 10, 10), .f32(1, 9, 10, 10), .f32(16, 8, 3, 3)], ["padding": .ints([1])],
             "input 1 has shape [1,9,10,10]; expected [1,18·G,10,10]: 18 offsets (2·3·3) per offset group G, "
                + "G dividing the 8 input channels, for each of the 10x10 output positions"),
            ([.f32(1, 8, 10, 10), .f32(1, 54, 10, 10), .f32(16, 8, 3, 3)], ["padding": .ints([1])],
             "input 1 has shape [1,54,10,10]; expected [1,18·G,10,10]: 18 offsets (2·3·3) per offset group G, "
                + "G dividing the 8 input channels, for each of the 10x10 output positions"),
        ]
        for (inputs, attributes, message) in cases {
            #expect(throws: ShapeError(message)) { try DeformConv2D().inferType(inputs, attributes) }
        }
        #expect(throws: ShapeError("attribute 'wrt' must be \"input\", \"offset\" or \"weight\", got \"bias\"")) {
            try DeformConv2DBackward().inferType(
                [.f32(1, 1, 3, 3), .f32(1, 2, 3, 3), .f32(1, 1, 1, 1), .f32(1, 1, 3, 3)], ["wrt": .string("bias")])
        }
    }
}
