/// Where a node came from: the DSL layer (or ONNX node) and the user's source line.
///
/// Provenance survives passes and fusion, so errors and profiles point at the user's code.
public struct Provenance: Sendable, Hashable {
    /// The layer's name (`fc1`), or empty when the node was created outside any layer.
    public var layer: String
    /// The user's source file as `#fileID` gives it (`MyApp/Model.swift`), or empty.
    public var file: String
    /// The user's source line, or 0.
    public var line: Int

    /// Creates a provenance record.
    public init(layer: String = "", file: String = "", line: Int = 0) {
        self.layer = layer
        self.file = file
        self.line = line
    }

    /// `MyApp/Model.swift:12`, or empty when unknown.
    public var location: String { file.isEmpty ? "" : "\(file):\(line)" }
}
