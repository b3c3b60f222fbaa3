import KilnIR

/// A layer the model's body called: its name in the graph, its Swift type, and the layer that
/// called it (nil at the top level).
struct LayerRecord: Sendable, Hashable {
    let name: String
    let type: String
    let parent: String?
}

/// The model's layer hierarchy, as torchinfo prints a PyTorch module: one row per layer, children
/// indented under the layer that calls them, with the layer's type, the type of the last value it
/// computes, and the trainable parameters it and its children hold.
///
/// ```
/// layer           type        output        params
/// sequential      Sequential  f32[64,10]    407,050
///   0             Linear      f32[64,512]   401,920
///   1             ReLU        f32[64,512]         0
/// ```
public struct LayerSummary: Sendable {
    /// One layer of the hierarchy.
    public struct Row: Sendable, Hashable {
        /// The layer's full name in the graph (`block.attention.query`), the prefix of its
        /// parameters' names.
        public let name: String
        /// The layer's Swift type (`Linear`), or empty for a graph read from a file.
        public let type: String
        /// The layer that calls this one, or nil at the top level.
        public let parent: String?
        /// How many layers enclose this one.
        public let depth: Int
        /// The type of the last value the layer computes, or nil when the inference graph keeps
        /// none of its nodes.
        public let output: TensorType?
        /// The trainable parameter elements of the layer and its children.
        public let parameterCount: Int
    }

    /// The layers in the order of their first call, each parent before its children.
    public let rows: [Row]
    /// The model's trainable parameter elements, inside layers or not.
    public let parameterCount: Int

    init(graph: Graph, layers recorded: [LayerRecord]) {
        let layers = recorded.isEmpty ? Self.records(fromProvenanceOf: graph) : recorded
        let parent = Dictionary(layers.map { ($0.name, $0.parent) }, uniquingKeysWith: { first, _ in first })
        func enclosing(_ layer: String) -> [String] {
            var chain: [String] = [], current: String? = layer
            while let name = current, parent[name] != nil {
                chain.append(name)
                current = parent[name] ?? nil
            }
            return chain
        }
        var lastOutput: [String: TensorType] = [:], parameters: [String: Int] = [:], total = 0
        for node in graph.nodes {
            let trainable = node.op == Node.parameterOp && node.attributes.bool("trainable", default: true)
            if trainable { total += node.type.shape.elementCount }
            for layer in enclosing(node.provenance.layer) {
                if trainable { parameters[layer, default: 0] += node.type.shape.elementCount }
                if !node.isLeaf { lastOutput[layer] = node.type }
            }
        }
        rows = layers.map { layer in
            Row(name: layer.name, type: layer.type, parent: layer.parent, depth: enclosing(layer.name).count - 1,
                output: lastOutput[layer.name], parameterCount: parameters[layer.name] ?? 0)
        }
        parameterCount = total
    }

    /// The layers of a graph that records no layer calls, from its nodes' provenance: each
    /// layer's parent is the longest dotted prefix of its name that is a layer too.
    private static func records(fromProvenanceOf graph: Graph) -> [LayerRecord] {
        var names: [String] = [], seen: Set<String> = []
        for node in graph.nodes where !node.provenance.layer.isEmpty && seen.insert(node.provenance.layer).inserted {
            names.append(node.provenance.layer)
        }
        return names.map { name in
            var prefix = Substring(name), parent: String?
            while parent == nil, let dot = prefix.lastIndex(of: ".") {
                prefix = prefix[..<dot]
                if seen.contains(String(prefix)) { parent = String(prefix) }
            }
            return LayerRecord(name: name, type: "", parent: parent)
        }
    }

    /// The aligned table: each layer by its name inside its parent, indented by depth, then the
    /// total.
    public func table() -> String {
        var table = TextTable(header: ["layer", "type", "output", "params"], rightAligned: [3])
        for row in rows {
            let prefix = row.parent.map { $0 + "." } ?? ""
            let shown = !prefix.isEmpty && row.name.hasPrefix(prefix) ? String(row.name.dropFirst(prefix.count)) : row.name
            table.append([String(repeating: "  ", count: row.depth) + shown, row.type,
                          row.output?.description ?? "-", groupedDigits(row.parameterCount)])
        }
        return table.render() + "\n\n\(groupedDigits(parameterCount)) trainable parameters in \(rows.count) layers"
    }
}

extension Model: CustomStringConvertible {
    /// The layer hierarchy of the inference graph, with output types and parameter counts.
    public func summary() -> LayerSummary { LayerSummary(graph: graph, layers: layerCalls) }

    /// The layer hierarchy as a table (`print(model)`).
    public var description: String { "model '\(name)'\n" + summary().table() }
}
