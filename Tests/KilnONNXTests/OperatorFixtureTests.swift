import Foundation
import Kiln
import KilnONNX
import Testing

/// One small ONNX model per imported operator or exporter pattern, run by Kiln's compiled code and
/// its float64 interpreter, against ONNX Runtime's outputs (recorded by
/// Scripts/onnx-fixtures/make_operator_fixtures.py into Fixtures/operators).
@Suite struct OperatorFixtureTests {
    static func fixture(_ name: String) -> String {
        Bundle.module.path(forResource: name, ofType: nil, inDirectory: "Fixtures/operators") ?? "missing:\(name)"
    }

    static let models = [
        "expand_probe", "gru_no_state", "lstm_no_state", "causal_mask",
        "floor", "ceil", "round", "sign", "mod_fmod", "isnan_isinf", "shrink", "celu", "mish", "where_equal",
        "gelu", "gelu_tanh", "layer_norm_axes", "cumsum", "bool_mask",
        "einsum_bmm", "einsum_attention", "einsum_outer", "einsum_implicit", "einsum_rowdot", "einsum_contract_two",
        "einsum_transpose", "einsum_sum",
        "tile", "reduce_l1", "reduce_l2", "reduce_sum_square", "reduce_log_sum_exp", "reduce_prod", "argmin", "topk",
        "topk_smallest", "scatter_elements", "scatter_nd", "scatter_nd_elements", "group_norm18", "group_norm21", "size",
        "gather_elements", "depth_to_space", "depth_to_space_crd", "space_to_depth", "softsign", "thresholded_relu",
        "conv1d", "conv1d_same", "conv_transpose1d", "max_pool1d", "average_pool1d", "conv3d", "max_pool3d", "average_pool3d",
    ]

    /// The model's inputs: `x`, and `mask` where the fixture has one.
    static func inputs(_ name: String) throws -> [String: TensorValue] {
        var inputs = ["x": try NumPyFile.read(fixture("\(name).x.npy"))]
        let mask = fixture("\(name).mask.npy")
        if FileManager.default.fileExists(atPath: mask) { inputs["mask"] = try NumPyFile.read(mask) }
        return inputs
    }

    @Test(arguments: models)
    func matchesONNXRuntime(_ name: String) throws {
        let imported = try ONNXImporter.load(Self.fixture("\(name).onnx"))
        let model = Model(graph: imported.graph, parameters: imported.parameters)
        let inputs = try Self.inputs(name)
        let expected = try NumPyFile.read(Self.fixture("\(name).y.npy"))
        let y = try #require(try model.compile().run(inputs)["y"])
        #expect(y.shape == expected.shape, "\(name)")
        #expect(Approximate.mismatch(y.doubles, expected.doubles, relative: 1e-4, absolute: 1e-5) == nil, "\(name)")
        let reference = try #require(try model.interpret(inputs)["y"])
        #expect(Approximate.mismatch(reference.doubles, expected.doubles, relative: 1e-4, absolute: 1e-5) == nil, "\(name)")
    }

    @Test func foldedShapeArithmeticLeavesNoIntegerNodes() throws {
        for name in ["expand_probe", "gru_no_state", "causal_mask"] {
            let imported = try ONNXImporter.load(Self.fixture("\(name).onnx"))
            let integerNodes = imported.graph.nodes.filter { $0.type.dtype.isInteger }
            #expect(integerNodes.isEmpty, "\(name): \(integerNodes.map(\.name))")
        }
    }
}
