import Foundation
import KilnIR
@testable import KilnONNX
import Testing

/// ONNX models that once crashed the importer (found by fuzzing): each now fails with one
/// error naming the node, its operator and what is wrong.
@Suite struct HostileONNXTests {
    typealias M = HostileONNXModel

    static let big: Int64 = 1 << 62
    static var over: String {
        "over Kiln's limit of \(TensorSizeLimit.describe(bytes: TensorSizeLimit.maximumBytes)) for one tensor; set KILN_MAX_TENSOR_BYTES to change it"
    }
    static let weight = M.floats("w", [1, 1, 1, 1], dims: [1, 1, 2, 2])

    /// Each case: a model and the whole error message.
    static let cases: [(String, HostileONNXModel, String)] = [
        ("cast to 2^31", M(nodes: [M.node("Cast", ["x"], ["y"], ["to": 1 << 31])]),
         "ONNX node 'y' (Cast): cannot cast to element type 2147483648; Kiln holds floats, integers and booleans"),
        ("constant without outputs", M(nodes: [M.node("Constant", [], [], ["value": M.floats("v", [1])]), M.node("Relu", ["x"])]),
         "ONNX node 'Constant' (Constant): has no outputs"),
        ("shape without outputs", M(nodes: [M.node("Shape", ["x"], []), M.node("Relu", ["x"])]),
         "ONNX node 'Shape' (Shape): has no outputs"),
        ("split without outputs", M(nodes: [M.node("Split", ["x"], [], ["axis": 0]), M.node("Relu", ["x"])]),
         "ONNX node 'Split' (Split): has no outputs"),
        ("constant of negative shape", M(initializers: [M.integers("s", [-3, 4])], nodes: [M.node("ConstantOfShape", ["s"])]),
         "ONNX node 'y' (ConstantOfShape): negative dimension in [-3,4]"),
        ("constant of 2^62 x 4", M(initializers: [M.integers("s", [big, 4])], nodes: [M.node("ConstantOfShape", ["s"])]),
         "ONNX node 'y' (ConstantOfShape): shape [4611686018427387904,4] has more elements than Kiln can count"),
        ("constant of 2^40", M(initializers: [M.integers("s", [1 << 40])], nodes: [M.node("ConstantOfShape", ["s"])]),
         "ONNX node 'y' (ConstantOfShape): shape [1099511627776] has 1099511627776 elements, more than the 268435456 Kiln allows here"),
        ("group norm of rank 1",
         M(inputs: [("x", [4])], initializers: [M.floats("s", [1]), M.floats("b", [0])],
           nodes: [M.node("GroupNormalization", ["x", "s", "b"], ["y"], ["num_groups": 1])]),
         "ONNX node 'y' (GroupNormalization): input [4] needs a channel axis (rank 2 or more)"),
        ("same-upper with zero strides", M(initializers: [weight], nodes: [M.node("Conv", ["x", "w"], ["y"], ["auto_pad": "SAME_UPPER", "strides": [0, 0]])]),
         "ONNX node 'y' (Conv): strides [0, 0] must be positive (and below 2^31)"),
        ("strides of length 1", M(initializers: [weight], nodes: [M.node("Conv", ["x", "w"], ["y"], ["strides": [1]])]),
         "ONNX node 'y' (Conv): strides [1] needs 2 values for the 2 spatial axes of input [1,1,4,4]"),
        ("dilations of length 1", M(initializers: [weight], nodes: [M.node("Conv", ["x", "w"], ["y"], ["dilations": [1]])]),
         "ONNX node 'y' (Conv): dilations [1] needs 2 values for the 2 spatial axes of input [1,1,4,4]"),
        ("kernel_shape of length 1", M(nodes: [M.node("MaxPool", ["x"], ["y"], ["kernel_shape": [2]])]),
         "ONNX node 'y' (MaxPool): kernel_shape [2] needs 2 values for the 2 spatial axes of input [1,1,4,4]"),
        ("pad axis out of range", M(initializers: [M.integers("p", [1, 1]), M.integers("a", [7])], nodes: [M.node("Pad", ["x", "p", "", "a"])]),
         "ONNX node 'y' (Pad): axis 7 is out of range for input [1,1,4,4]"),
        ("pads too short for the axes", M(initializers: [M.integers("p", [1]), M.integers("a", [0, 1])], nodes: [M.node("Pad", ["x", "p", "", "a"])]),
         "ONNX node 'y' (Pad): pads [1] need 2 values for each of the 2 axes [0, 1]"),
        ("LSTM hidden_size 2^62",
         M(inputs: [("x", [2, 1, 3])], initializers: [M.floats("W", Array(repeating: 0, count: 12), dims: [1, 4, 3]), M.floats("R", [0, 0, 0, 0], dims: [1, 4, 1])],
           nodes: [M.node("LSTM", ["x", "W", "R"], ["y"], ["hidden_size": 1 << 62])]),
         "ONNX node 'y' (LSTM): hidden_size 4611686018427387904 must be from 1 to 2^31 - 1"),
        ("layer norm axis -2^63", M(inputs: [("x", [2, 3])], initializers: [M.floats("s", [1, 1, 1])], nodes: [M.node("LayerNormalization", ["x", "s"], ["y"], ["axis": Int.min])]),
         "ONNX node 'y' (LayerNormalization): axis -9223372036854775808 is out of range for input [2,3]"),
        ("gather index 2^63-1", M(inputs: [("x", [4, 3])], initializers: [M.integers("i", [Int64.max])], nodes: [M.node("Gather", ["x", "i"])]),
         "ONNX node 'y' (Gather): index 9223372036854775807 is out of range for an axis of 4"),
        ("resize scale inf", M(initializers: [M.floats("s", [1, 1, .infinity, .infinity])], nodes: [M.node("Resize", ["x", "", "s"])]),
         "ONNX node 'y' (Resize): scale inf of axis 2 turns 4 into inf; expected a positive finite scale giving 1 to 2^31"),
        ("resize scale nan", M(initializers: [M.floats("s", [1, 1, .nan, .nan])], nodes: [M.node("Resize", ["x", "", "s"])]),
         "ONNX node 'y' (Resize): scale nan of axis 2 turns 4 into nan; expected a positive finite scale giving 1 to 2^31"),
        ("resize scale 1e30", M(initializers: [M.floats("s", [1, 1, 1e30, 1e30])], nodes: [M.node("Resize", ["x", "", "s"])]),
         "ONNX node 'y' (Resize): scale 1e+30 of axis 2 turns 4 into 4.000000060189865e+30; expected a positive finite scale giving 1 to 2^31"),
        ("initializer of 2^62 x 4", M(initializers: [M.floats("w", [0, 0, 0, 0], dims: [big, 4])], nodes: [M.node("Add", ["x", "w"])]),
         "initializer 'w': shape [4611686018427387904,4] has more elements than Kiln can count"),
    ]

    @Test(arguments: cases)
    func importFailsWithOneMessage(name: String, model: HostileONNXModel, message: String) throws {
        #expect(throws: KilnError.invalidArgument(message), "\(name)") { try ONNXImporter.decode(model.serialized()) }
    }

    /// The message of the error importing `model` throws, or nil when it imports.
    static func message(_ model: HostileONNXModel) throws -> String? {
        do {
            _ = try ONNXImporter.decode(model.serialized())
            return nil
        } catch {
            return String(describing: error)
        }
    }

    /// `Shape` and `Size` of a value known at import time whose constant node the converter
    /// creates (the node once was looked up in the graph as it was before it was added).
    @Test func shapeAndSizeOfAnImportTimeValue() throws {
        for op in ["Shape", "Size"] {
            let model = M(initializers: [M.integers("k", [2, 3])], nodes: [M.node(op, ["k"], ["s"]), M.node("Cast", ["s"], ["c"], ["to": 1]), M.node("Add", ["x", "c"])])
            let imported = try ONNXImporter.decode(model.serialized())
            #expect(imported.graph.outputs.map(\.name) == ["y"], "\(op)")
        }
    }

    /// Messages that name the machine's tensor size limit.
    @Test func declaredShapesBeyondTheLimitAreRefused() throws {
        let input = M(inputs: [("x", [Self.big, 4])], nodes: [M.node("Relu", ["x"])])
        #expect(try Self.message(input) == "graph input 'x': f32[4611686018427387904,4] needs more than 9223372036854775807 bytes, \(Self.over)")
        let flatten = M(inputs: [("x", [1 << 32, 1 << 32])], nodes: [M.node("Flatten", ["x"], ["y"], ["axis": 1])])
        #expect(try Self.message(flatten) == "graph input 'x': f32[4294967296,4294967296] needs more than 9223372036854775807 bytes, \(Self.over)")
        let group = M(inputs: [("x", [1, 2, Self.big, 4])], initializers: [M.floats("s", [1, 1]), M.floats("b", [0, 0])],
                      nodes: [M.node("GroupNormalization", ["x", "s", "b"], ["y"], ["num_groups": 2])])
        #expect(try Self.message(group) == "graph input 'x': f32[1,2,4611686018427387904,4] needs more than 9223372036854775807 bytes, \(Self.over)")
        let empty = M(initializers: [M.floats("w", [], dims: [0, 1 << 40, 1 << 40])], nodes: [M.node("Add", ["x", "w"])])
        // A zero dimension does not hide that the others multiply past Int.max (Shape.checkedElementCount).
        #expect(try Self.message(empty) == "initializer 'w': shape [0,1099511627776,1099511627776] has more elements than Kiln can count")
        let expand = M(initializers: [M.integers("s", [1, 1 << 40, 4, 4])], nodes: [M.node("Expand", ["x", "s"])])
        #expect(try Self.message(expand) == "expand 'y': f32[1,1099511627776,4,4] needs 64 TiB (70368744177664 bytes), \(Self.over)")
        let pad = M(initializers: [M.integers("p", [0, 0, 0, 0, 0, 0, 0, 1 << 40])], nodes: [M.node("Pad", ["x", "p"])])
        #expect(try Self.message(pad) == "pad 'y': f32[1,1,4,1099511627780] needs 16.0 TiB (17592186044480 bytes), \(Self.over)")
        let pool = M(inputs: [("x", [1, 1, 4, Self.big])], nodes: [M.node("MaxPool", ["x"], ["y"], ["kernel_shape": [2, 2], "strides": [2, 2]])])
        #expect(try Self.message(pool) == "graph input 'x': f32[1,1,4,4611686018427387904] needs more than 9223372036854775807 bytes, \(Self.over)")
    }
}
