import Foundation
import KilnIR
import SwiftProtobuf

/// Writes Kiln inference graphs as ONNX models (opset 17): graph inputs and outputs with their
/// types, parameters as initializers, constants as `Constant` nodes, and every other node as the
/// ONNX operators computing the same thing (``ONNXExportRules``). ONNX node names are Kiln's node
/// names (which carry the layer path) and each node's `doc_string` is its layer.
public enum ONNXExporter {
    /// The opset exported models declare.
    public static let opset = 17

    /// The serialized `ModelProto` of `graph` with `parameters` as initializers. Throws one error
    /// naming every operator without an ONNX equivalent and the nodes using it.
    public static func export(_ graph: Graph, parameters: [String: TensorValue]) throws(KilnError) -> Data {
        let model = try modelProto(graph, parameters: parameters)
        do {
            return try model.serializedBytes()
        } catch {
            throw .invalidArgument("cannot serialize the ONNX model: \(error)")
        }
    }

    static func modelProto(_ graph: Graph, parameters: [String: TensorValue]) throws(KilnError) -> Onnx_ModelProto {
        var context = ExportContext(reserved: Set(graph.outputs.map(\.name)))
        var unsupported: [String: [String]] = [:]
        var inputs: [Onnx_ValueInfoProto] = []
        for node in graph.nodes {
            switch node.op {
            case Node.inputOp:
                let name = context.bind(node)
                inputs.append(valueInfo(name, node.type))
            case Node.parameterOp:
                guard let value = parameters[node.name], value.type == node.type else {
                    throw .invalidArgument("cannot export to ONNX: parameter '\(node.name)' of type \(node.type) has no value of that type")
                }
                context.initializers.append(tensor(value, name: context.bind(node)))
            default:
                guard let rule = ONNXExportRules.table[node.op] else {
                    unsupported[node.op, default: []].append(node.name)
                    continue
                }
                let operands = node.inputs.map { context.names[$0] ?? "" }
                context.current = node
                let result = try rule(&context, node, operands)
                context.names[node.id] = result
            }
        }
        if !unsupported.isEmpty {
            let list = unsupported.keys.sorted().map { op in
                "\(op) (" + unsupported[op]!.map { "'\($0)'" }.joined(separator: ", ") + ")"
            }
            throw .invalidArgument("cannot export to ONNX: operators without an ONNX equivalent: " + list.joined(separator: "; "))
        }
        var outputs: [Onnx_ValueInfoProto] = []
        for output in graph.outputs {
            let value = context.names[output.node]!
            if value != output.name {
                context.nodes.append(ExportContext.nodeProto("Identity", [value], [output.name], name: "\(output.name).output", attributes: []))
            }
            outputs.append(valueInfo(output.name, graph[output.node].type))
        }
        var proto = Onnx_GraphProto()
        proto.name = graph.name
        proto.node = context.nodes
        proto.initializer = context.initializers
        proto.input = inputs
        proto.output = outputs
        var model = Onnx_ModelProto()
        model.irVersion = 8
        model.producerName = "kiln"
        model.opsetImport = [Onnx_OperatorSetIdProto.with { $0.domain = ""; $0.version = Int64(opset) }]
        model.graph = proto
        return model
    }

    /// The ONNX element type of `dtype`.
    static func elementType(_ dtype: DType) -> ONNXTensor.ElementType {
        switch dtype {
        case .float32: .float
        case .int32: .int32
        case .int64: .int64
        case .bool: .bool
        }
    }

    /// A value's name and static type.
    static func valueInfo(_ name: String, _ type: TensorType) -> Onnx_ValueInfoProto {
        Onnx_ValueInfoProto.with { info in
            info.name = name
            info.type.tensorType.elemType = elementType(type.dtype).rawValue
            info.type.tensorType.shape.dim = type.shape.dimensions.map { extent in
                Onnx_TensorShapeProto.Dimension.with { $0.dimValue = Int64(extent) }
            }
        }
    }

    /// `value` as a tensor named `name`, its elements as little-endian raw data.
    static func tensor(_ value: TensorValue, name: String) -> Onnx_TensorProto {
        Onnx_TensorProto.with { proto in
            proto.name = name
            proto.dims = value.shape.dimensions.map(Int64.init)
            proto.dataType = elementType(value.type.dtype).rawValue
            proto.rawData = LittleEndianElement.encode(value)
        }
    }
}
