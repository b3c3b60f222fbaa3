import Foundation
import KilnIR

/// One ONNX node as the converters see it: operator type, names, and typed attribute access
/// whose errors name the node.
struct ONNXNode {
    let proto: Onnx_NodeProto
    private let attributes: [String: Onnx_AttributeProto]

    init(_ proto: Onnx_NodeProto) {
        self.proto = proto
        attributes = Dictionary(proto.attribute.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The operator type (`Conv`).
    var opType: String { proto.opType }
    /// The node's name, or its first output's when it has none.
    var name: String { proto.name.isEmpty ? (proto.output.first ?? proto.opType) : proto.name }
    /// Input value names; an empty name is an omitted optional input.
    var inputs: [String] { proto.input }
    /// Output value names.
    var outputs: [String] { proto.output }

    /// The input name at `index` when present and not omitted.
    func input(_ index: Int) -> String? {
        index < proto.input.count && !proto.input[index].isEmpty ? proto.input[index] : nil
    }

    /// The name of output 0, which must be present.
    func firstOutput() throws(KilnError) -> String {
        guard let output = proto.output.first, !output.isEmpty else { throw error("has no output") }
        return output
    }

    /// An error about this node.
    func error(_ message: String) -> KilnError {
        .invalidArgument("ONNX node '\(name)' (\(opType)): \(message)")
    }

    func has(_ key: String) -> Bool { attributes[key] != nil }

    func int(_ key: String, default fallback: Int) -> Int {
        attributes[key].map { Int($0.i) } ?? fallback
    }

    func float(_ key: String, default fallback: Double) -> Double {
        attributes[key].map { Double($0.f) } ?? fallback
    }

    func ints(_ key: String) -> [Int]? {
        attributes[key].map { $0.ints.map(Int.init) }
    }

    func floats(_ key: String) -> [Double]? {
        attributes[key].map { $0.floats.map(Double.init) }
    }

    func string(_ key: String, default fallback: String) -> String {
        attributes[key].map { String(decoding: $0.s, as: UTF8.self) } ?? fallback
    }

    func tensor(_ key: String) -> Onnx_TensorProto? {
        attributes[key].flatMap { $0.hasT ? $0.t : nil }
    }
}
