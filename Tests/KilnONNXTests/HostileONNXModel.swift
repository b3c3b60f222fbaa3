import Foundation
@testable import KilnONNX

/// One-node ONNX models built in code for the hostile-input tests: float graph inputs of given
/// shapes, initializers, and a node with integer, integer-list and string attributes.
struct HostileONNXModel {
    var inputs: [(String, [Int64])] = [("x", [1, 1, 4, 4])]
    var initializers: [Onnx_TensorProto] = []
    var nodes: [Onnx_NodeProto] = []

    /// A node of `op` from `inputs` to `outputs` with `attributes` (Int, [Int], String, Float or an initializer-like tensor).
    static func node(_ op: String, _ inputs: [String], _ outputs: [String] = ["y"], _ attributes: [String: Any] = [:]) -> Onnx_NodeProto {
        Onnx_NodeProto.with { node in
            node.opType = op
            node.input = inputs
            node.output = outputs
            node.attribute = attributes.keys.sorted().map { name in
                Onnx_AttributeProto.with { attribute in
                    attribute.name = name
                    switch attributes[name] {
                    case let value as Int: attribute.type = .int; attribute.i = Int64(value)
                    case let values as [Int]: attribute.type = .ints; attribute.ints = values.map(Int64.init)
                    case let text as String: attribute.type = .string; attribute.s = Data(text.utf8)
                    case let value as Float: attribute.type = .float; attribute.f = value
                    case let tensor as Onnx_TensorProto: attribute.type = .tensor; attribute.t = tensor
                    default: break
                    }
                }
            }
        }
    }

    /// An int64 tensor named `name`.
    static func integers(_ name: String, _ values: [Int64], dims: [Int64]? = nil) -> Onnx_TensorProto {
        Onnx_TensorProto.with {
            $0.name = name
            $0.dataType = 7
            $0.dims = dims ?? [Int64(values.count)]
            $0.int64Data = values
        }
    }

    /// A float tensor named `name`.
    static func floats(_ name: String, _ values: [Float], dims: [Int64]? = nil) -> Onnx_TensorProto {
        Onnx_TensorProto.with {
            $0.name = name
            $0.dataType = 1
            $0.dims = dims ?? [Int64(values.count)]
            $0.floatData = values
        }
    }

    /// The serialized model (opset 17), its graph output `y`.
    func serialized() throws -> Data {
        let model = Onnx_ModelProto.with { model in
            model.irVersion = 8
            model.opsetImport = [Onnx_OperatorSetIdProto.with { $0.version = 17 }]
            model.graph = Onnx_GraphProto.with { graph in
                graph.name = "hostile"
                graph.node = nodes
                graph.initializer = initializers
                graph.input = inputs.map { input in
                    Onnx_ValueInfoProto.with { info in
                        info.name = input.0
                        info.type.tensorType.elemType = 1
                        info.type.tensorType.shape.dim = input.1.map { extent in
                            Onnx_TensorShapeProto.Dimension.with { $0.dimValue = extent }
                        }
                    }
                }
                graph.output = [Onnx_ValueInfoProto.with { $0.name = "y" }]
            }
        }
        return try model.serializedData()
    }
}
