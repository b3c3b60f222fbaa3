import Foundation
import Kiln
import Testing

/// A state dict in PyTorch's names and layouts (Fixtures/make_pytorch_fixture.py) loads into the
/// equivalent Kiln model and gives the reference output.
@Suite struct PyTorchWeightsTests {
    static func fixture(_ name: String, _ type: String) throws -> String {
        try #require(Bundle.module.path(forResource: name, ofType: type, inDirectory: "Fixtures"))
    }

    static let model = Model("torch_equivalent") { g in
        let x = g.input("x", [2, 1, 6, 6])
        g.output("y", Sequential {
            Conv2d(1, 4, kernel: 3, padding: 1, name: "conv"); BatchNorm(4, name: "bn"); ReLU()
            Flatten(); Linear(144, 5, name: "fc")
        }(x))
    }

    @Test func stateDictGivesThePyTorchOutput() throws {
        let loaded = try Self.model.loading(
            pytorch: try Self.fixture("pytorch_state", "safetensors"), renaming: ["0": "conv", "1": "bn", "4": "fc"])
        let input = try NumPyFile.read(try Self.fixture("pytorch_input", "npy"))
        let expected = try NumPyFile.read(try Self.fixture("pytorch_output", "npy"))
        let output = try loaded.compile().run(["x": input])["y"]!
        #expect(output.shape == expected.shape)
        #expect(zip(output.floats, expected.floats).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })
    }

    @Test func withoutTheRenamingEveryNameIsReported() throws {
        #expect(throws: KilnError.self) {
            try Self.model.loading(pytorch: try Self.fixture("pytorch_state", "safetensors"))
        }
    }

    @Test func renamingReplacesTheLongestDottedPrefix() {
        #expect(PyTorchWeights.renamed("features.0.weight", ["features": "f", "features.0": "conv1"]) == "conv1.weight")
        #expect(PyTorchWeights.renamed("features.01.weight", ["features.0": "conv1"]) == "features.01.weight")
    }
}
