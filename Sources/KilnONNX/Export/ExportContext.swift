import Foundation
import KilnIR

/// The state of one export: the ONNX nodes and initializers written so far and the ONNX value
/// name of each Kiln node.
struct ExportContext {
    var nodes: [Onnx_NodeProto] = []
    var initializers: [Onnx_TensorProto] = []
    /// The ONNX value holding each exported Kiln node's result.
    var names: [NodeID: String] = [:]
    /// Value names taken (graph outputs are reserved from the start).
    private var taken: Set<String>
    /// The Kiln node being exported, whose name and layer the ONNX nodes carry.
    var current: Node?

    init(reserved: Set<String>) { taken = reserved }

    /// A value name from `base` that no other value has.
    mutating func fresh(_ base: String) -> String {
        var name = base.isEmpty ? "value" : base, counter = 1
        while taken.contains(name) {
            counter += 1
            name = "\(base)_\(counter)"
        }
        taken.insert(name)
        return name
    }

    /// Names a leaf (input or parameter) after its Kiln node.
    mutating func bind(_ node: Node) -> String {
        let name = fresh(node.name)
        names[node.id] = name
        return name
    }

    /// Appends ONNX node `op` of the current Kiln node and returns its (first) output; `final`
    /// names the output after the Kiln node, else it gets a derived name.
    mutating func emit(
        _ op: String, _ inputs: [String], _ attributes: [Onnx_AttributeProto] = [], final: Bool = false
    ) -> String {
        let base = current?.name ?? op
        let output = fresh(final ? base : "\(base).\(op)")
        var node = Self.nodeProto(op, inputs, [output], name: output, attributes: attributes)
        if let layer = current?.provenance.layer, !layer.isEmpty { node.docString = "layer \(layer)" }
        nodes.append(node)
        return output
    }

    /// A `Constant` node holding `value`.
    mutating func constant(_ value: TensorValue) -> String {
        let base = current?.name ?? "constant"
        let output = fresh("\(base).value")
        var attribute = Onnx_AttributeProto()
        attribute.name = "value"
        attribute.type = .tensor
        attribute.t = ONNXExporter.tensor(value, name: output)
        nodes.append(Self.nodeProto("Constant", [], [output], name: output, attributes: [attribute]))
        return output
    }

    /// An int64 vector constant.
    mutating func integers(_ values: [Int]) -> String {
        constant(TensorValue(dtype: .int64, shape: [values.count], integers: values.map(Int64.init)))
    }

    /// A float32 scalar constant.
    mutating func scalar(_ value: Double) -> String {
        constant(TensorValue(shape: [], floats: [Float(value)]))
    }

    static func nodeProto(_ op: String, _ inputs: [String], _ outputs: [String], name: String, attributes: [Onnx_AttributeProto]) -> Onnx_NodeProto {
        Onnx_NodeProto.with { node in
            node.opType = op
            node.name = name
            node.input = inputs
            node.output = outputs
            node.attribute = attributes
        }
    }
}

/// ONNX attribute values.
enum ONNXAttribute {
    static func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
        Onnx_AttributeProto.with { $0.name = name; $0.type = .int; $0.i = Int64(value) }
    }

    static func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
        Onnx_AttributeProto.with { $0.name = name; $0.type = .ints; $0.ints = values.map(Int64.init) }
    }

    static func float(_ name: String, _ value: Double) -> Onnx_AttributeProto {
        Onnx_AttributeProto.with { $0.name = name; $0.type = .float; $0.f = Float(value) }
    }
}
