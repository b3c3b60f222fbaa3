import Foundation
import KilnIR
import KilnOps
import Testing

/// The activations' exact values from catalog §6, interpreted and compiled, and their errors.
@Suite struct ActivationTests {
    /// `op` at `points`, checked interpreted and compiled against `expected`.
    private func expectValues(
        _ op: String, at points: [Double], _ expected: [Double], attributes: Attributes = [:], tolerance: Double = 1e-6
    ) throws {
        let (interpreted, compiled) = try GraphRunner.apply(op, [GraphRunner.tensor(points)], attributes: attributes)
        for (index, value) in expected.enumerated() {
            #expect(abs(interpreted[index] - value) <= tolerance, "\(op)(\(points[index])) interpreted \(interpreted[index])")
            #expect(abs(compiled[index] - value) <= tolerance, "\(op)(\(points[index])) compiled \(compiled[index])")
        }
    }

    @Test func hardSwishBreakpoints() throws {
        try expectValues("hard_swish", at: [-3, 3, -4, 4, 0, 1], [0, 3, 0, 4, 0, 4.0 / 6])
    }

    @Test func hardSigmoidIsHalfAtZeroAndSaturates() throws {
        try expectValues("hard_sigmoid", at: [0, -3, 3, -10, 10, 1.5], [0.5, 0, 1, 0, 1, 0.75])
    }

    /// A negative input gives +0, not the -0 of a mask product, and NaN stays NaN (PyTorch, ONNX Runtime).
    @Test func reluGivesPositiveZeroForNegativesAndKeepsNaN() throws {
        let (interpreted, compiled) = try GraphRunner.apply("relu", [GraphRunner.tensor([-3, -0.0, 0, 2, .nan])])
        for values in [interpreted, compiled] {
            #expect(values[0 ..< 3].allSatisfy { $0 == 0 && $0.sign == .plus }, "relu of -3, -0, 0: \(values)")
            #expect(values[3] == 2)
            #expect(values[4].isNaN, "relu(NaN) = \(values[4])")
        }
    }

    @Test func relu6CapsAtSix() throws {
        try expectValues("relu6", at: [-1, 0, 3, 6, 7, 1e6], [0, 0, 3, 6, 6, 6])
    }

    @Test func leakyReluSlopeIsAParameter() throws {
        try expectValues("leaky_relu", at: [-1, 2], [-0.01, 2])
        try expectValues("leaky_relu", at: [-1, 2], [-0.1, 2], attributes: ["alpha": .float(0.1)])
    }

    @Test func eluSeluAndSoftplus() throws {
        try expectValues("elu", at: [-1, 0, 2], [exp(-1) - 1, 0, 2])
        try expectValues("selu", at: [1, -1], [Selu.scale, Selu.scale * Selu.alpha * (exp(-1) - 1)])
        try expectValues("softplus", at: [0, 100, -100], [log(2), 100, exp(-100)], tolerance: 1e-5)
    }

    @Test func swishFamily() throws {
        try expectValues("silu", at: [0, 1, -1], [0, 1 / (1 + exp(-1)), -1 / (1 + exp(1))])
        try expectValues("swish", at: [1], [1 / (1 + exp(-2))], attributes: ["beta": .float(2)])
        try expectValues("mish", at: [0, 1], [0, tanh(log(1 + exp(1)))])
    }

    @Test func geluExactAndTanhForms() throws {
        // Φ(1) = 0.841344746…; the tanh form differs from the exact one by under 1e-3 here.
        try expectValues("gelu", at: [0, 1, -1], [0, 0.8413447460685429, -0.15865525393145707])
        try expectValues("gelu", at: [1], [0.8411919906082768], attributes: ["approximate": .string("tanh")])
    }

    @Test func maxoutTakesTheMaximumOfConsecutiveChannels() throws {
        let x = GraphRunner.tensor([1, 5, 3, 2, -1, -4], [1, 6])
        let (interpreted, compiled) = try GraphRunner.apply("maxout", [x], attributes: ["pieces": .int(2)])
        #expect(interpreted == [5, 3, -1])
        #expect(compiled == [5, 3, -1])
    }

    @Test func preluPerChannelSlope() throws {
        let x = GraphRunner.tensor([-1, 2, -1, 2], [1, 2, 2])
        let slope = GraphRunner.tensor([0.5, 0.25], [2, 1])
        let (interpreted, compiled) = try GraphRunner.apply("prelu", [x, slope])
        #expect(interpreted == [-0.5, 2, -0.25, 2])
        #expect(compiled == [-0.5, 2, -0.25, 2])
    }

    @Test func errorMessages() {
        let image = GraphRunner.tensor(Array(repeating: 0, count: 10), [1, 5, 2])
        #expect(GraphRunner.errorMessage { _ = try GraphRunner.apply("maxout", [image], attributes: ["pieces": .int(2)]) }
            == "maxout 'y': input 0 of shape [1,5,2] has 5 channels on axis 1, not divisible by pieces = 2")
        #expect(GraphRunner.errorMessage { _ = try GraphRunner.apply("maxout", [image]) }
            == "maxout 'y': missing attribute 'pieces'")
        #expect(GraphRunner.errorMessage {
            _ = try GraphRunner.apply("prelu", [image, GraphRunner.tensor([1, 2, 3, 4, 5])])
        } == "prelu 'y': input 1 of shape [5] does not broadcast to input 0's shape [1,5,2]; "
            + "expected a shared slope ([] or [1]) or one per channel (such as [C,1,1] for NCHW)")
        #expect(GraphRunner.errorMessage {
            _ = try GraphRunner.apply("gelu", [image], attributes: ["approximate": .string("fast")])
        } == "gelu 'y': attribute 'approximate' is \"fast\"; expected \"none\" or \"tanh\"")
        #expect(GraphRunner.errorMessage {
            _ = try GraphRunner.apply("leaky_relu", [image], attributes: ["alpha": .string("small")])
        } == "leaky_relu 'y': attribute 'alpha' is \"small\"; expected a number")
    }
}
