import Kiln
import KilnIR
import KilnInterpreter
import KilnOps
import Testing

@Suite struct DropoutTests {
    static let model = Model("drop") { g in
        let x = g.input("x", [100, 100])
        let y = dropout(x, p: 0.3)
        g.output("y", y)
        g.loss(y.sum())
    }

    func run(seed: Int64) throws -> [Float] {
        let graph = try DropoutTests.model.trainingModeGraph()
        let x = TensorValue(shape: [100, 100], floats: Array(repeating: 1, count: 10_000))
        let seedValue = TensorValue(dtype: .int64, shape: [], integers: [seed])
        let compiled = try Executable(graph: graph, parameters: [:]).run(["x": x, GraphContext.randomSeedInput: seedValue])
        let reference = try Interpreter.run(
            graph, inputs: ["x": ReferenceTensor(x), GraphContext.randomSeedInput: ReferenceTensor(seedValue)], parameters: [:])
        #expect(compiled["y"]!.doubles == reference["y"]!.values.map { Double(Float($0)) }, "C and interpreter draw the same mask")
        return compiled["y"]!.floats
    }

    @Test func dropsAboutPAndScalesSurvivors() throws {
        let y = try run(seed: 42)
        let kept = y.filter { $0 != 0 }
        #expect(abs(Double(kept.count) / 10_000 - 0.7) < 0.02)
        #expect(kept.allSatisfy { abs($0 - Float(1 / 0.7)) < 1e-6 })
    }

    @Test func sameSeedSameMaskOtherSeedOtherMask() throws {
        #expect(try run(seed: 7) == run(seed: 7))
        #expect(try run(seed: 7) != run(seed: 8))
    }

    @Test func inferenceIsTheIdentityWithoutASeedInput() throws {
        #expect(DropoutTests.model.graph.node(named: GraphContext.randomSeedInput) == nil)
        let x = TensorValue.random(TensorType(.float32, [100, 100]), seed: 3)
        #expect(try DropoutTests.model.compile().run(["x": x])["y"] == x)
    }

    @Test func dropConnectMasksWeightsOnlyInTraining() throws {
        let model = Model("dc") { g in
            let y = Linear(4, 3, name: "fc", dropConnect: 0.5)(g.input("x", [2, 4]))
            g.output("y", y)
            g.loss(y.sum())
        }
        let training = try model.trainingModeGraph()
        #expect(training.nodes.contains { $0.op == "random_uniform" && $0.type.shape == [4, 3] })
        #expect(!model.graph.nodes.contains { $0.op == "random_uniform" })
    }
}
