import Kiln
import KilnIR
import KilnModels
import Testing

/// `Executable.run(_:into:)` and `run(_:filling:reading:)`: the outputs of `run(_:)`, written into
/// the caller's values or read where the compiled code wrote them.
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

    @Test func fillsInputsInPlaceAndReadsOutputsWhereTheyAre() throws {
        let model = DigitsModels.mlp(batch: 4)
        let executable = try model.compile(backend: .tcc)
        let type = try #require(model.graph.node(named: "x")).type
        let expected = try executable.run(["x": TensorValue.random(type, seed: 5)])
        var filled: [String] = []
        var outputs: [String: TensorValue] = [:]
        try executable.run(filling: { node, bytes in
            filled.append(node.name)
            #expect(bytes.count == type.byteCount)
            TensorValue.fillRandom(node.type, seed: 5, into: bytes.baseAddress!)
        }, reading: { name, outputType, bytes in
            outputs[name] = TensorValue(type: outputType, copyingFrom: bytes.baseAddress!)
        })
        #expect(filled == ["x"])
        #expect(outputs == expected)
        var reads = 0
        try executable.run(["x": TensorValue.random(type, seed: 6)], filling: { node, _ in Issue.record("filled \(node.name)") }) { _, _, _ in
            reads += 1
        }
        #expect(reads == expected.count)
    }

    @Test func randomValuesOfEveryTypeComeFromOneSeededStream() {
        for dtype in [DType.float32, .int32, .int64, .bool] {
            let type = TensorType(dtype, [3, 5])
            let value = TensorValue.random(type, seed: 9, low: 0, high: 4)
            #expect(value == TensorValue.random(type, seed: 9, low: 0, high: 4))
            #expect(value != TensorValue.random(type, seed: 10, low: 0, high: 4))
            #expect(value.doubles.allSatisfy { $0 >= 0 && $0 < (dtype == .bool ? 2 : 4) })
            if dtype.isInteger { #expect(value.doubles.allSatisfy { $0 == $0.rounded() }) }
        }
    }
}
