import Foundation
import Kiln
import KilnIR
import KilnModels
import Testing

@Suite struct EndToEndTests {
    @Test func mlpCompiledMatchesInterpreter() throws {
        let model = MLP.mnist(batch: 8)
        let input = TensorValue.random(TensorType(.float32, [8, 784]), seed: 3)
        let compiled = try model.compile().run(["x": input])
        let reference = try model.interpret(["x": input])
        let y = try #require(compiled["y"])
        #expect(y.type == TensorType(.float32, [8, 10]))
        #expect(Approximate.normwiseRelativeError(y.doubles, try #require(reference["y"]).doubles) < 1e-5)
    }

    @Test func sameSeedSameWeightsOtherSeedOtherWeights() throws {
        let first = try MLP.mnist(seed: 5).initialParameters()
        let again = try MLP.mnist(seed: 5).initialParameters()
        let other = try MLP.mnist(seed: 6).initialParameters()
        #expect(first == again)
        #expect(first["fc1.weight"] != other["fc1.weight"])
        #expect(first["fc1.bias"]?.floats.allSatisfy { $0 == 0 } == true)
    }

    @Test func graphFileMatchesTheZooAndRunsTheSame() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../graphs/mlp.kiln")
        let text = try String(contentsOf: url, encoding: .utf8)
        let model = MLP.mnist()
        #expect(text == model.graphFileText, "graphs/mlp.kiln is stale: run `make graphs`")
        let parsed = try Model(graphFile: text)
        let input = TensorValue.random(TensorType(.float32, [64, 784]), seed: 1)
        #expect(try parsed.compile().run(["x": input]) == model.compile().run(["x": input]))
    }

    @Test func parametersCanBeReplaced() throws {
        let model = Model("affine") { g in
            let x = g.input("x", [1, 2])
            g.output("y", Linear(2, 1, name: "fc")(x))
        }
        let executable = try model.compile()
        try executable.setParameter("fc.weight", TensorValue(shape: [2, 1], floats: [2, 3]))
        try executable.setParameter("fc.bias", TensorValue(shape: [1], floats: [0.5]))
        let y = try executable.run(["x": TensorValue(shape: [1, 2], floats: [1, 10])])["y"]
        #expect(y?.floats == [32.5])
        #expect(throws: KilnError.invalidArgument("parameter 'fc.bias' expects f32[1], got f32[2]")) {
            try executable.setParameter("fc.bias", TensorValue(shape: [2], floats: [0, 0]))
        }
    }

    @Test func sequentialBuilderSupportsConditionsAndLoops() throws {
        let deep = true
        let model = Model("stack") { g in
            let x = g.input("x", [4, 3])
            let net = Sequential {
                for index in 0..<2 { Linear(3, 3, name: "hidden\(index)"); ReLU() }
                if deep { Linear(3, 3, name: "extra") }
                Linear(3, 2, name: "out")
            }
            g.output("y", net(x))
        }
        #expect(model.graph.parameters.map(\.name) == [
            "hidden0.weight", "hidden0.bias", "hidden1.weight", "hidden1.bias", "extra.weight", "extra.bias",
            "out.weight", "out.bias",
        ])
        #expect(model.graph[model.graph.outputs[0].node].type == TensorType(.float32, [4, 2]))
    }

    @Test func sharedLayerSharesParameters() throws {
        let model = Model("siamese") { g in
            let shared = Linear(3, 2, name: "tower")
            let a = shared(g.input("a", [1, 3]))
            let b = shared(g.input("b", [1, 3]))
            g.output("d", a - b)
        }
        #expect(model.graph.parameters.count == 2)
    }
}

@Suite struct StateUpdateTests {
    @Test func updatesPersistAcrossRunsAndRoundTrip() throws {
        var graph = Graph(name: "counter")
        let counter = graph.append(op: Node.parameterOp, attributes: ["init": .string("zeros")], type: .f32(2), name: "counter")
        let one = graph.append(op: Node.constantOp, attributes: ["value": .floats([1])], type: .f32(), name: "one")
        let next = graph.append(op: "add", inputs: [counter, one], type: .f32(2), name: "next")
        graph.outputs = [GraphOutput(name: "value", node: next)]
        graph.updates = [GraphUpdate(target: counter, value: next)]
        #expect(try GraphParser.parse(GraphText.print(graph)) == graph)
        #expect(GraphText.print(graph).contains("  update %0 = %2\n"))
        let executable = try Model(graph: graph).compile()
        #expect(try executable.run([:])["value"]?.floats == [1, 1])
        #expect(try executable.run([:])["value"]?.floats == [2, 2])
        #expect(executable.parameters()["counter"]?.floats == [2, 2])
    }

    @Test func updateOfANonParameterIsRejected() {
        var graph = Graph(name: "bad")
        let x = graph.append(op: Node.inputOp, type: .f32(1), name: "x")
        let y = graph.append(op: "relu", inputs: [x], type: .f32(1), name: "y")
        graph.outputs = [GraphOutput(name: "y", node: y)]
        graph.updates = [GraphUpdate(target: x, value: y)]
        #expect(throws: KilnError.invalidGraph("update target %0 'x' is an input node; only param nodes are updated")) {
            try graph.verify()
        }
    }
}
