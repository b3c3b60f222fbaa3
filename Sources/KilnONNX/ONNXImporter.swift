import Foundation
import KilnIR
import KilnOps
import SwiftProtobuf

/// Imports ONNX models (opsets 13 to 21) into Kiln graphs.
///
/// Graph inputs become `input` nodes, float initializers become parameters (so imported models
/// can be fine-tuned), and values known at import time (`Constant`, `Shape` and the arithmetic
/// around it) are folded, since Kiln graphs have static shapes. Every operator left unsupported
/// after folding is reported at once.
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

    /// Reads and imports an `.onnx` file. `shapes` gives graph inputs their shapes, fixing the
    /// symbolic dimensions (a dynamic batch or sequence axis) that Kiln's static shapes need.
    public static func load(_ path: String, shapes: [String: Shape] = [:]) throws(KilnError) -> Imported {
        let data = try SafeFile.read(path)
        do {
            return try decode(data, shapes: shapes)
        } catch {
            throw .io(path: path, message: error.description)
        }
    }

    /// Imports a serialized `ModelProto`, with `shapes` as in `load(_:shapes:)`.
    public static func decode(_ data: Data, shapes: [String: Shape] = [:]) throws(KilnError) -> Imported {
        let model: Onnx_ModelProto
        do {
            model = try Onnx_ModelProto(serializedBytes: data)
        } catch {
            throw .invalidArgument("not a valid ONNX model: \(error)")
        }
        return try convert(model, shapes: shapes)
    }

    static func convert(_ model: Onnx_ModelProto, shapes: [String: Shape]) throws(KilnError) -> Imported {
        guard model.hasGraph else { throw .invalidArgument("not a valid ONNX model: it has no graph") }
        let opset = model.opsetImport.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }.map { Int($0.version) }
        guard let opset, supportedOpsets.contains(opset) else {
            throw .invalidArgument(
                "the model uses ONNX opset \(opset.map(String.init) ?? "(none)"); Kiln imports opsets \(supportedOpsets.lowerBound) to \(supportedOpsets.upperBound)")
        }
        let graph = model.graph
        var context = ImportContext(name: graph.name.isEmpty ? "onnx" : graph.name, opset: opset)
        for initializer in graph.initializer {
            let value = try ONNXTensor.value(initializer, context: "initializer '\(initializer.name)'")
            if value.type.dtype == .float32 && initializer.dataType != ONNXTensor.ElementType.bool.rawValue {
                context.initializers[initializer.name] = value
            } else {
                context.constants[initializer.name] = value
            }
        }
        let inputs = graph.input.filter { context.initializers[$0.name] == nil && context.constants[$0.name] == nil }
        for (input, type) in zip(inputs, try InputTypes.resolve(inputs, shapes: shapes)) {
            let id = context.builder.leaf(Node.inputOp, type: type, name: input.name)
            // Kiln's comparisons and `where` work on float32 masks of 0 and 1.
            context.values[input.name] = type.dtype == .bool
                ? try context.builder.add("cast", [id], attributes: ["to": .string("f32")], name: "\(input.name).mask")
                : id
        }
        try convertNodes(graph, &context)
        for output in graph.output {
            var id = try context.node(output.name, for: ONNXNode(Onnx_NodeProto.with { $0.name = "graph output"; $0.opType = "Output" }))
            if output.type.tensorType.elemType == ONNXTensor.ElementType.bool.rawValue, context.type(of: id).dtype != .bool {
                id = try context.builder.add("cast", [id], attributes: ["to": .string("bool")], name: "\(output.name).bool")
            }
            context.builder.graph.outputs.append(GraphOutput(name: output.name, node: id))
        }
        let pruned = context.builder.graph.pruned()
        try OperatorRegistry.verify(pruned)
        let used = Set(pruned.parameters.map(\.name))
        return Imported(graph: pruned, parameters: context.parameters.filter { used.contains($0.key) })
    }

    /// Folds or converts every node in order. A node that neither folds nor has a converter (or
    /// belongs to another domain) is unsupported, and the nodes that depend on it are skipped; one
    /// error lists every unsupported operator type with the nodes using it. Without unsupported
    /// operators, the first conversion error is thrown.
    static func convertNodes(_ graph: Onnx_GraphProto, _ context: inout ImportContext) throws(KilnError) {
        var unsupported: [String: [String]] = [:]
        var unavailable = Set<String>()
        var firstError: KilnError?
        for proto in graph.node {
            let node = ONNXNode(proto)
            let standard = proto.domain.isEmpty || proto.domain == "ai.onnx"
            let converter = standard ? ONNXConverters.table[node.opType] : nil
            let known = converter != nil || (standard && ConstantEvaluators.table[node.opType] != nil)
            if !known { unsupported[standard ? node.opType : "\(proto.domain).\(node.opType)", default: []].append(node.name) }
            guard known, firstError == nil, !node.inputs.contains(where: unavailable.contains) else {
                unavailable.formUnion(node.outputs)
                continue
            }
            do {
                try convert(node, converter: converter, &context)
            } catch {
                firstError = error
                unavailable.formUnion(node.outputs)
            }
        }
        if !unsupported.isEmpty {
            let list = unsupported.keys.sorted().map { type in
                "\(type) (" + unsupported[type]!.map { "'\($0)'" }.joined(separator: ", ") + ")"
            }
            throw .invalidArgument("unsupported ONNX operators: " + list.joined(separator: "; "))
        }
        if let firstError { throw firstError }
    }

    /// Folds `node` when its inputs are known at import time, else converts it into Kiln nodes.
    static func convert(_ node: ONNXNode, converter: ONNXConverter?, _ context: inout ImportContext) throws(KilnError) {
        guard node.outputs.contains(where: { !$0.isEmpty }) else { throw node.error("has no outputs") }
        if let folded = try ImportTimeFolding.fold(node, converter: converter, context: context) {
            for (output, value) in zip(node.outputs, folded) where !output.isEmpty { context.constants[output] = value }
            return
        }
        guard let converter else {
            throw node.error("is supported only when its inputs are known at import time (constants, shapes and arithmetic on them)")
        }
        let results = try converter(&context, node)
        for (output, id) in zip(node.outputs, results) where !output.isEmpty {
            context.values[output] = id
        }
    }
}
