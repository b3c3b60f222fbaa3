import Foundation
import KilnONNX

/// Structured mutations of an ONNX model, which byte mutations of its protobuf encoding rarely
/// reach: an integer attribute, a graph input's dimension, an initializer's dimension or int64
/// value set to an extreme, a node's output list emptied, or its operator swapped for another
/// of the model's.
enum ONNXMutation {
    static let extremes: [Int64] = [0, -1, 1, 2, 3, 1 << 31, 1 << 32, 1 << 40, 1 << 62, .max, .min, -(1 << 62)]

    /// The mutated encoding, or nil when `bytes` is not a model.
    static func mutate(_ bytes: [UInt8], _ mutator: inout Mutator) -> [UInt8]? {
        guard var model = try? Onnx_ModelProto(serializedBytes: Data(bytes)) else { return nil }
        let extreme = extremes[mutator.below(extremes.count)]
        var graph = model.graph
        switch mutator.below(5) {
        case 0 where !graph.node.isEmpty:
            let n = mutator.below(graph.node.count)
            guard !graph.node[n].attribute.isEmpty else { return nil }
            let a = mutator.below(graph.node[n].attribute.count)
            if graph.node[n].attribute[a].ints.isEmpty {
                graph.node[n].attribute[a].i = extreme
            } else {
                graph.node[n].attribute[a].ints[mutator.below(graph.node[n].attribute[a].ints.count)] = extreme
            }
        case 1 where !graph.input.isEmpty:
            let i = mutator.below(graph.input.count)
            var dims = graph.input[i].type.tensorType.shape.dim
            guard !dims.isEmpty else { return nil }
            dims[mutator.below(dims.count)].dimValue = extreme
            graph.input[i].type.tensorType.shape.dim = dims
        case 2 where !graph.initializer.isEmpty:
            let i = mutator.below(graph.initializer.count)
            if !graph.initializer[i].int64Data.isEmpty && mutator.below(2) == 0 {
                graph.initializer[i].int64Data[mutator.below(graph.initializer[i].int64Data.count)] = extreme
            } else if !graph.initializer[i].dims.isEmpty {
                graph.initializer[i].dims[mutator.below(graph.initializer[i].dims.count)] = extreme
            }
        case 3 where !graph.node.isEmpty:
            let n = mutator.below(graph.node.count)
            if mutator.below(2) == 0 { graph.node[n].output = [] } else { graph.node[n].input.removeLast(min(1, graph.node[n].input.count)) }
        case 4 where graph.node.count > 1:
            graph.node[mutator.below(graph.node.count)].opType = graph.node[mutator.below(graph.node.count)].opType
        default: return nil
        }
        model.graph = graph
        return (try? model.serializedData()).map { [UInt8]($0) }
    }
}
