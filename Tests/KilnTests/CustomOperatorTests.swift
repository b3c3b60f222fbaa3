import Kiln
import KilnOps
import Testing

/// A test-only operator defined outside Kiln: `cube`, y = x³, with its derivative 3x².
struct Cube: UnaryElementwiseOperator {
    var mnemonic: String { "test_cube" }
    var flopsPerElement: Int { 2 }
    func apply(_ x: Double) -> Double { x * x * x }
    func cExpression(_ x: String) -> String { "((\(x)) * (\(x)) * (\(x)))" }
    func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID {
        try context.add("mul", [try context.add("square", [x]), context.scalar(3)])
    }
}

/// A second type claiming the same mnemonic.
struct Impostor: UnaryElementwiseOperator {
    var mnemonic: String { "test_cube" }
    func apply(_ x: Double) -> Double { x }
    func cExpression(_ x: String) -> String { x }
    func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID { context.outputGradient }
}

/// Operators from outside the package: registered, compiled, interpreted, fused, differentiated.
@Suite struct CustomOperatorTests {
    @Test func aCustomOperatorCompilesFusesAndMatchesTheInterpreter() throws {
        let model = Model("custom") { g in
            let x = g.input("x", [4, 5])
            g.output("y", (x.applying(Cube()) + 1).relu())
        }
        let x = TensorValue.random(TensorType(.float32, [4, 5]), seed: 3, low: -2, high: 2)
        let compiled = try model.compile().run(["x": x])["y"]!.floats
        let reference = try model.interpret(["x": x])["y"]!.floats
        #expect(zip(compiled, reference).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })
        #expect(zip(compiled, x.floats).allSatisfy { abs($0 - max($1 * $1 * $1 + 1, 0)) <= 1e-4 })
        #expect(try model.optimizationReport().text().contains("test_cube"))
    }

    @Test func itsGradientIsItsDerivative() throws {
        let x = TensorValue(shape: [3], floats: [-1, 0.5, 2])
        let (value, gradients) = try valueAndGradient(at: ["x": x]) { _, t in t["x"]!.applying(Cube()).sum() }
        #expect(abs(value - (-1 + 0.125 + 8)) <= 1e-5)
        #expect(gradients["x"]!.floats == [3, 0.75, 12])
    }

    @Test func mnemonicsThatClashAreRejected() throws {
        try OperatorRegistry.register(Cube())
        try OperatorRegistry.register(Cube())
        #expect(throws: KilnError.invalidArgument("operator mnemonic 'test_cube' is already registered by Cube")) {
            try OperatorRegistry.register(Impostor())
        }
        struct Shadow: UnaryElementwiseOperator {
            var mnemonic: String { "relu" }
            func apply(_ x: Double) -> Double { x }
            func cExpression(_ x: String) -> String { x }
            func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID { context.outputGradient }
        }
        #expect(throws: KilnError.invalidArgument("operator mnemonic 'relu' is a built-in operator's")) {
            try OperatorRegistry.register(Shadow())
        }
        let model = Model("impostor") { g in g.output("y", g.input("x", [2]).applying(Impostor())) }
        #expect(model.buildError == .invalidArgument("operator mnemonic 'test_cube' is already registered by Cube"))
    }
}
