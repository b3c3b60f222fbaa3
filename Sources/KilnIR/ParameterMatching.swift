/// How a set of loaded tensors (a weights file, a checkpoint) must match a graph's parameters.
/// Shapes and element types must match in every mode.
public enum ParameterMatching: String, Sendable, CaseIterable {
    /// Exactly the graph's parameters: a missing or an extra tensor is an error.
    case strict
    /// Every parameter must be given; tensors the graph does not have are ignored (a training
    /// checkpoint also holds optimizer state and the step's running statistics).
    case ignoringExtra
    /// Only the given tensors are loaded and the other parameters keep their values; a tensor the
    /// graph does not have is still an error (it is usually a misspelt name).
    case partial
}

extension Graph {
    /// Checks `tensors` against this graph's parameters under `matching` and returns the names of
    /// those to load. `source` names the tensors in the error (`"weights file w.safetensors"`).
    ///
    /// - Throws: `KilnError.invalidArgument` listing every missing, unexpected and mistyped tensor.
    public func parametersToLoad(
        _ tensors: [String: TensorType], matching: ParameterMatching, source: String
    ) throws(KilnError) -> [String] {
        let expected = Dictionary(parameters.map { ($0.name, $0.type) }, uniquingKeysWith: { first, _ in first })
        var problems: [String] = []
        if matching != .partial {
            for name in expected.keys.sorted() where tensors[name] == nil {
                problems.append("missing tensor '\(name)'")
            }
        }
        if matching != .ignoringExtra {
            for name in tensors.keys.sorted() where expected[name] == nil {
                problems.append("unexpected tensor '\(name)'")
            }
        }
        for (name, type) in expected.sorted(by: { $0.key < $1.key }) {
            if let given = tensors[name], given != type {
                problems.append("'\(name)' is \(given) but the model expects \(type)")
            }
        }
        guard problems.isEmpty else {
            throw .invalidArgument("\(source) does not match model '\(name)': " + problems.joined(separator: "; "))
        }
        return tensors.keys.filter { expected[$0] != nil }.sorted()
    }
}
