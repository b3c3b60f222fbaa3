import Foundation
import KilnIR
import KilnOps
import SwiftProtobuf

/// Imports ONNX models (opsets 13 to 21) into Kiln graphs.
///
/// Graph inputs become `input` nodes, float initializers become parameters (so imported models
/// can be fine-tuned), and values known at import time (`Constant`, `Shape` and the arithmetic
/// around it) are folded, since Kiln graphs have static shapes. Every unsupported operator is
/// reported at once, before anything runs.
public enum ONNXImporter {
    /// An imported model: its graph and its parameter values.
    public struct Imported: Sendable {
        /// The graph.
        public var graph: Graph
        /// The initializers' values, by parameter name.
        public var parameters: [String: TensorValue]
    }

    /// The opsets Kiln's converters follow.
    public static let supportedOpsets = 13...21

    /// Reads and imports an `.onnx` file.
    public static func load(_ path: String) throws(KilnError) -> Imported {
        let data = try SafeFile.read(path)
        do {
            return try decode(data)
        } catch {
            throw .io(path: path, message: error.description)
        }
    }

    /// Imports a serialized `ModelProto`.
    public static func decode(_ data: Data) throws(KilnError) -> Imported {
        let model: Onnx_ModelProto
        do {
            model = try Onnx_ModelProto(serializedBytes: data)
        } catch {
            throw .invalidArgument("not a valid ONNX model: \(error)")
        }
        return try convert(model)
    }

    static func convert(_ model: Onnx_ModelProto) throws(KilnError) -> Imported {
        guard model.hasGraph else { throw .invalidArgument("not a valid ONNX model: it has no graph") }
        let opset = model.opsetImport.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }.map { Int($0.version) }
        guard let opset, supportedOpsets.contains(opset) else {
            throw .invalidArgument(
                "the model uses ONNX opset \(opset.map(String.init) ?? "(none)"); Kiln imports opsets \(supportedOpsets.lowerBound) to \(supportedOpsets.upperBound)")
        }
        let graph = model.graph
        try checkSupported(graph)
        var context = ImportContext(name: graph.name.isEmpty ? "onnx" : graph.name)
        for initializer in graph.initializer {
            let value = try ONNXTensor.value(initializer, context: "initializer '\(initializer.name)'")
            if value.type.dtype == .float32 {
                context.initializers[initializer.name] = value
            } else {
                context.constants[initializer.name] = value
            }
        }
        for input in graph.input where context.initializers[input.name] == nil && context.constants[input.name] == nil {
            let type = try inputType(input)
            context.values[input.name] = context.builder.leaf(Node.inputOp, type: type, name: input.name)
        }
        for proto in graph.node {
            let node = ONNXNode(proto)
            guard let converter = ONNXConverters.table[node.opType] else { throw node.error("unsupported operator") }
            if let folded = try ImportTimeFolding.fold(node, converter: converter, context: context) {
                for (output, value) in zip(node.outputs, folded) where !output.isEmpty { context.constants[output] = value }
                continue
            }
            let results = try converter(&context, node)
            for (output, id) in zip(node.outputs, results) where !output.isEmpty {
                context.values[output] = id
            }
        }
        for output in graph.output {
            let id = try context.node(output.name, for: ONNXNode(Onnx_NodeProto.with { $0.name = "graph output"; $0.opType = "Output" }))
            context.builder.graph.outputs.append(GraphOutput(name: output.name, node: id))
        }
        let pruned = context.builder.graph.pruned()
        try OperatorRegistry.verify(pruned)
        let used = Set(pruned.parameters.map(\.name))
        return Imported(graph: pruned, parameters: context.parameters.filter { used.contains($0.key) })
    }

    /// Throws one error listing every unsupported operator type with the nodes using it.
    static func checkSupported(_ graph: Onnx_GraphProto) throws(KilnError) {
        var unsupported: [String: [String]] = [:]
        for proto in graph.node {
            let node = ONNXNode(proto)
            let domain = proto.domain
            if ONNXConverters.table[node.opType] == nil || !(domain.isEmpty || domain == "ai.onnx") {
                let key = domain.isEmpty || domain == "ai.onnx" ? node.opType : "\(domain).\(node.opType)"
                unsupported[key, default: []].append(node.name)
            }
        }
        guard !unsupported.isEmpty else { return }
        let list = unsupported.keys.sorted().map { type in
            "\(type) (" + unsupported[type]!.map { "'\($0)'" }.joined(separator: ", ") + ")"
        }
        throw .invalidArgument("unsupported ONNX operators: " + list.joined(separator: "; "))
    }

    /// The static type of a graph input.
    static func inputType(_ input: Onnx_ValueInfoProto) throws(KilnError) -> TensorType {
        guard input.type.tensorType.hasShape else {
            throw .invalidArgument("graph input '\(input.name)' has no shape; Kiln needs static input shapes")
        }
        var dimensions: [Int] = []
        for dimension in input.type.tensorType.shape.dim {
            switch dimension.value {
            case .dimValue(let value)? where value >= 0: dimensions.append(Int(value))
            case .dimParam(let symbol)?:
                throw .invalidArgument(
                    "graph input '\(input.name)' has the symbolic dimension '\(symbol)'; export the model with fixed input shapes")
            default:
                throw .invalidArgument("graph input '\(input.name)' has an unknown dimension; export it with fixed input shapes")
            }
        }
        let dtype: DType
        switch ONNXTensor.ElementType(rawValue: input.type.tensorType.elemType) {
        case .float?, .double?, .float16?: dtype = .float32
        case .int64?: dtype = .int64
        case .int32?: dtype = .int32
        default: throw .invalidArgument("graph input '\(input.name)' has unsupported element type \(input.type.tensorType.elemType)")
        }
        return TensorType(dtype, Shape(dimensions))
    }
}
