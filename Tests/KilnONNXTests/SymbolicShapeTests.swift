import Foundation
import Kiln
@testable import KilnONNX
import Testing

/// Models exported with dynamic axes import once each input's shape is given.
@Suite struct SymbolicShapeTests {
    /// The bool_mask fixture with a symbolic batch axis on both inputs and an unnamed last axis on `x`.
    static func dynamicModel() throws -> Onnx_ModelProto {
        var model = try Onnx_ModelProto(serializedBytes: Data(contentsOf: URL(fileURLWithPath: OperatorFixtureTests.fixture("bool_mask.onnx"))))
        model.graph.input[0].type.tensorType.shape.dim[0].dimParam = "batch"
        model.graph.input[0].type.tensorType.shape.dim[1].value = nil
        model.graph.input[1].type.tensorType.shape.dim[0].dimParam = "batch"
        return model
    }

    @Test func theErrorNamesEverySymbolicDimensionAndItsInput() throws {
        let data = try Self.dynamicModel().serializedData()
        #expect(throws: KilnError.invalidArgument(
            "the model has symbolic dimensions: 'batch' (input 'x', axis 0); unnamed (input 'x', axis 1); 'batch' (input 'mask', axis 0); give each input's shape (kiln --shape NAME=D0,D1,...; ONNXImporter.load(_:shapes:))")) {
            try ONNXImporter.decode(data)
        }
    }

    @Test func givenShapesFixTheDimensionsAndTheModelMatchesONNXRuntime() throws {
        let data = try Self.dynamicModel().serializedData()
        let imported = try ONNXImporter.decode(data, shapes: ["x": [2, 6], "mask": [2, 6]])
        let model = Model(graph: imported.graph, parameters: imported.parameters)
        let inputs = try OperatorFixtureTests.inputs("bool_mask")
        let expected = try NumPyFile.read(OperatorFixtureTests.fixture("bool_mask.y.npy"))
        let y = try #require(try model.compile().run(inputs)["y"])
        #expect(Approximate.mismatch(y.doubles, expected.doubles, relative: 1e-4, absolute: 1e-5) == nil)
    }

    @Test func shapesThatContradictTheModelAreErrors() throws {
        let data = try Self.dynamicModel().serializedData()
        #expect(throws: KilnError.invalidArgument(
            "a shape is given for 'y', which is not a graph input (the inputs: 'x', 'mask')")) {
            try ONNXImporter.decode(data, shapes: ["x": [2, 6], "mask": [2, 6], "y": [1]])
        }
        #expect(throws: KilnError.invalidArgument(
            "the shape [2] given for graph input 'x' has rank 1; the model declares rank 2")) {
            try ONNXImporter.decode(data, shapes: ["x": [2], "mask": [2, 6]])
        }
        #expect(throws: KilnError.invalidArgument(
            "the shape [2,5] given for graph input 'mask' has 5 at axis 1; the model fixes it to 6")) {
            try ONNXImporter.decode(data, shapes: ["x": [2, 6], "mask": [2, 5]])
        }
    }
}
