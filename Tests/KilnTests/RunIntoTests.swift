import Kiln
import KilnIR
import KilnModels
import Testing

/// `Executable.run(_:into:)`: the outputs of `run(_:)`, written into the caller's values.
@Suite struct RunIntoTests {
    @Test func writesTheOutputsOfRunIntoTheValuesGiven() throws {
        let model = DigitsModels.mlp(batch: 4)
        let executable = try model.compile(backend: .tcc)
        let x = TensorValue.random(try #require(model.graph.node(named: "x")).type, seed: 5)
        let expected = try executable.run(["x": x])
        var outputs: [String: TensorValue] = ["y": TensorValue(shape: [1], floats: [7])]  // another type: replaced
        try executable.run(["x": x], into: &outputs)
        #expect(outputs == expected)
        let other = TensorValue.random(x.type, seed: 6)
        try executable.run(["x": other], into: &outputs)  // same types: written in place
        #expect(outputs == (try executable.run(["x": other])))
        #expect(outputs != expected)
    }
}
