import KilnIR
import KilnInterpreter
import KilnOps
import KilnPasses
import KilnRuntime
import Testing

/// The activations' derivatives through autodiff, at the points catalog §6 names, interpreted
/// and compiled.
@Suite struct ActivationDerivativeTests {
    /// dy/dx of `op` at each of `points` (the gradient of Σ op(x)), interpreted and compiled.
    private func derivative(
        _ op: String, at points: [Double], attributes: Attributes = [:]
    ) throws -> (interpreted: [Double], compiled: [Double]) {
        var builder = GraphBuilder(name: "\(op)_derivative")
        let type = TensorType(.float32, [points.count])
        let x = builder.leaf(Node.inputOp, type: type, name: "x")
        let y = try builder.add(op, [x], attributes: attributes, name: "y")
        let ones = builder.leaf(Node.constantOp, type: type, name: "ones", attributes: ["value": .floats([1])])
        let gradient = try builder.gradients(of: y, wrt: [x], seed: ones)[0]
        builder.graph.outputs = [GraphOutput(name: "dx", node: gradient)]
        let input = ReferenceTensor(type, points)
        let interpreted = try Interpreter.run(builder.graph, inputs: ["x": input], parameters: [:])
        let compiled = try Executable(graph: builder.graph, parameters: [:]).run(["x": input.tensorValue])
        return (interpreted["dx"]?.values ?? [], compiled["dx"]?.doubles ?? [])
    }

    private func expectDerivative(
        _ op: String, at points: [Double], _ expected: [Double], attributes: Attributes = [:]
    ) throws {
        let (interpreted, compiled) = try derivative(op, at: points, attributes: attributes)
        for (index, value) in expected.enumerated() {
            #expect(abs(interpreted[index] - value) <= 1e-12, "\(op)'(\(points[index])) interpreted \(interpreted[index])")
            #expect(abs(compiled[index] - value) <= 1e-6, "\(op)'(\(points[index])) compiled \(compiled[index])")
        }
    }

    /// A grid over [-6, 6] in steps of 0.01, through 0.
    private static let grid = (-600...600).map { Double($0) / 100 }

    @Test func sigmoidDerivativeIsAQuarterAtZeroAndNowhereMore() throws {
        try expectDerivative("sigmoid", at: [0], [0.25])
        let (interpreted, _) = try derivative("sigmoid", at: Self.grid)
        #expect(interpreted.max() == 0.25)
        #expect(interpreted.firstIndex(of: 0.25).map { Self.grid[$0] } == 0)
    }

    @Test func tanhDerivativePeaksAtOneNotAQuarter() throws {
        try expectDerivative("tanh", at: [0], [1])
        let (interpreted, _) = try derivative("tanh", at: Self.grid)
        #expect(interpreted.max() == 1)
    }

    @Test func hardActivationsArePiecewiseLinear() throws {
        try expectDerivative("hard_swish", at: [-4, 0, 1.5, 4], [0, 0.5, 1, 1])
        try expectDerivative("hard_sigmoid", at: [-4, 0, 2, 4], [0, 1.0 / 6, 1.0 / 6, 0])
        try expectDerivative("relu6", at: [-1, 3, 7], [0, 1, 0])
    }

    @Test func leakyAndEluSlopes() throws {
        try expectDerivative("leaky_relu", at: [-1, 1], [0.01, 1])
        try expectDerivative("leaky_relu", at: [-1], [0.1], attributes: ["alpha": .float(0.1)])
        try expectDerivative("elu", at: [-1, 1], [0.36787944117144233, 1])
    }

    @Test func smoothActivationsAtZero() throws {
        // silu'(0) = σ(0) = 1/2, gelu'(0) = Φ(0) = 1/2, softplus'(0) = σ(0), mish'(0) = tanh(ln 2) = 0.6.
        try expectDerivative("silu", at: [0], [0.5])
        try expectDerivative("gelu", at: [0], [0.5])
        try expectDerivative("gelu", at: [0], [0.5], attributes: ["approximate": .string("tanh")])
        try expectDerivative("softplus", at: [0], [0.5])
        try expectDerivative("mish", at: [0], [0.6])
    }
}
