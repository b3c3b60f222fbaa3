import Foundation
import Kiln
import KilnONNX
import Testing

/// Boolean graph inputs and outputs (a key-padding mask): `bool` in the graph, `|b1` in `.npy`.
@Suite struct BooleanInputTests {
    @Test func aBooleanMaskIsAGraphInputOfTypeBool() throws {
        let imported = try ONNXImporter.load(OperatorFixtureTests.fixture("bool_mask.onnx"))
        let mask = try #require(imported.graph.node(named: "mask"))
        #expect(mask.type == TensorType(.bool, [2, 6]))
        #expect(imported.graph.nodes.contains { $0.op == "cast" && $0.inputs == [mask.id] })
    }

    @Test func numPyBooleansReadAndWriteTheSameBytes() throws {
        let path = OperatorFixtureTests.fixture("bool_mask.mask.npy")
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        let mask = try NumPyFile.decode(original)
        #expect(mask.type == TensorType(.bool, [2, 6]))
        #expect(mask.integers.contains(1) && mask.integers.contains(0))
        #expect(NumPyFile.encode(mask) == original)
    }

    @Test func aFloatMaskFedAsTheBooleanInputIsRejected() throws {
        let imported = try ONNXImporter.load(OperatorFixtureTests.fixture("bool_mask.onnx"))
        let model = Model(graph: imported.graph, parameters: imported.parameters)
        let inputs = try OperatorFixtureTests.inputs("bool_mask")
        var wrong = inputs
        wrong["mask"] = TensorValue(shape: [2, 6], floats: Array(repeating: 1, count: 12))
        #expect(throws: KilnError.invalidArgument("input 'mask' expects bool[2,6], got f32[2,6]")) {
            try model.compile().run(wrong)
        }
    }

    @Test func aComparisonDeclaredBoolIsABooleanOutput() throws {
        let imported = try ONNXImporter.load(OperatorFixtureTests.fixture("bool_output.onnx"))
        let model = Model(graph: imported.graph, parameters: imported.parameters)
        let inputs = try OperatorFixtureTests.inputs("bool_output")
        let expected = try NumPyFile.read(OperatorFixtureTests.fixture("bool_output.y.npy"))
        #expect(expected.type.dtype == .bool)
        #expect(try model.compile().run(inputs)["y"] == expected)
        #expect(try model.interpret(inputs)["y"] == expected)
    }
}
