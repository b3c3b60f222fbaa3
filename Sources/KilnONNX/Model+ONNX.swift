import Foundation
import Kiln

extension Model {
    /// A model imported from the `.onnx` file at `path`: its graph, with the initializers as
    /// trainable parameters, so it compiles, fine-tunes, emits C and profiles like a model built
    /// in Swift. `shapes` fixes the symbolic dimensions of the inputs (see
    /// `ONNXImporter.load(_:shapes:)`); `seed` is the model's seed for random inputs and dropout.
    public init(onnx path: String, shapes: [String: Shape] = [:], seed: UInt64 = 0) throws(KilnError) {
        let imported = try ONNXImporter.load(path, shapes: shapes)
        self.init(graph: imported.graph, parameters: imported.parameters, seed: seed)
    }

    /// A model imported from the `.onnx` file at `url`; see `init(onnx:shapes:seed:)`.
    public init(onnx url: URL, shapes: [String: Shape] = [:], seed: UInt64 = 0) throws(KilnError) {
        try self.init(onnx: url.path, shapes: shapes, seed: seed)
    }
}

extension Model {
    /// The inference graph as a serialized ONNX model (opset 17): parameters as initializers with
    /// their current values (`parameters`, else the initial ones), node and layer names kept.
    /// Throws one error naming every operator without an ONNX equivalent.
    public func exportONNX(parameters: [String: TensorValue]? = nil) throws(KilnError) -> Data {
        if let parameters { return try ONNXExporter.export(graph, parameters: parameters) }
        return try ONNXExporter.export(graph, parameters: initialParameters())
    }

    /// Writes `exportONNX(parameters:)` to the file at `path`.
    public func exportONNX(to path: String, parameters: [String: TensorValue]? = nil) throws(KilnError) {
        try SafeFile.write(exportONNX(parameters: parameters), to: path)
    }
}
