import Foundation
import KilnIR

extension ONNXImporter {
    /// The operator types of the ONNX model at `path` and how many nodes use each (of the main
    /// graph; other domains prefixed with theirs), most used first, then by name.
    public static func operatorCounts(_ path: String) throws(KilnError) -> [(op: String, count: Int)] {
        let data = try SafeFile.read(path)
        let model: Onnx_ModelProto
        do {
            model = try Onnx_ModelProto(serializedBytes: data)
        } catch {
            throw .io(path: path, message: "not a valid ONNX model: \(error)")
        }
        var counts: [String: Int] = [:]
        for node in model.graph.node {
            let standard = node.domain.isEmpty || node.domain == "ai.onnx"
            counts[standard ? node.opType : "\(node.domain).\(node.opType)", default: 0] += 1
        }
        return counts.map { (op: $0.key, count: $0.value) }.sorted { ($1.count, $0.op) < ($0.count, $1.op) }
    }
}
