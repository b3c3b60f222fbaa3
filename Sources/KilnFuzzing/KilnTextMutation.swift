import KilnIR
import KilnOps

/// Structured mutations of a `.kiln` file, which byte mutations rarely turn into a graph that
/// still parses and verifies: a computed node's operator swapped for any registered operator,
/// an attribute set to an extreme value, or a leaf's dimension set to an extreme; then every
/// node's declared type is set to what its operator infers, so that the mutation reaches the
/// shape rules, the costs and the interpreter rather than stopping at a type mismatch.
enum KilnTextMutation {
    static let mnemonics = OperatorRegistry.all.map(\.mnemonic).sorted()
    static let attributeNames = [
        "axis", "axes", "shape", "perm", "pads", "starts", "ends", "steps", "kernel_size", "stride", "padding",
        "dilation", "groups", "before", "after", "depth", "repeats", "size", "heads", "value", "seed",
    ]
    static let extremes = [0, -1, 1, 2, 3, 1 << 31, 1 << 40, 1 << 62, Int.max, Int.min]

    /// Whether `type` passes verification's own checks (no negative dimension, within the size limit).
    static func isVerifiable(_ type: TensorType) -> Bool {
        type.shape.dimensions.allSatisfy { $0 >= 0 } && TensorSizeLimit.violation(type) == nil
    }

    /// The mutated file, or nil when `bytes` is not a graph file.
    static func mutate(_ bytes: [UInt8], _ mutator: inout Mutator) -> [UInt8]? {
        guard var graph = try? GraphParser.parseFile(String(decoding: bytes, as: UTF8.self)).inference, !graph.nodes.isEmpty else { return nil }
        let index = mutator.below(graph.nodes.count)
        let extreme = extremes[mutator.below(extremes.count)]
        switch mutator.below(3) {
        case 0 where !graph.nodes[index].isLeaf:
            graph.nodes[index].op = mnemonics[mutator.below(mnemonics.count)]
        case 1:
            let name = attributeNames[mutator.below(attributeNames.count)]
            let rank = 1 + mutator.below(4)
            graph.nodes[index].attributes[name] = mutator.below(2) == 0
                ? .int(extreme) : .ints((0..<rank).map { _ in extremes[mutator.below(extremes.count)] })
        default:
            var dimensions = graph.nodes[index].type.shape.dimensions
            guard graph.nodes[index].isLeaf, !dimensions.isEmpty else { return nil }
            dimensions[mutator.below(dimensions.count)] = mutator.below(3) == 0 ? extreme : 1 + mutator.below(6)
            graph.nodes[index].type.shape = Shape(dimensions)
        }
        for position in graph.nodes.indices where !graph.nodes[position].isLeaf {
            let node = graph.nodes[position]
            // Shape rules may assume inputs within the size limit, as verification checks first.
            guard let definition = OperatorRegistry.operator(node.op),
                  node.inputs.allSatisfy({ $0.index < position && Self.isVerifiable(graph.nodes[$0.index].type) }),
                  let type = try? definition.inferType(node.inputs.map { graph.nodes[$0.index].type }, node.attributes) else { continue }
            graph.nodes[position].type = type
        }
        return Array(GraphText.print(graph).utf8)
    }
}
