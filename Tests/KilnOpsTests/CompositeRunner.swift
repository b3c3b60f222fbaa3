import KilnIR
import KilnOps
import Testing

/// Runs graphs built by composites (`GraphBuilder` functions) from named inputs, interpreted and
/// compiled.
enum CompositeRunner {
    /// The graph with one input per entry of `types` (by name) and the outputs `body` returns.
    static func graph(
        _ types: [String: TensorType], _ body: (inout GraphBuilder, [String: NodeID]) throws -> [String: NodeID]
    ) throws -> Graph {
        var builder = GraphBuilder(name: "composite")
        var leaves: [String: NodeID] = [:]
        for name in types.keys.sorted() { leaves[name] = builder.leaf(Node.inputOp, type: types[name]!, name: name) }
        let outputs = try body(&builder, leaves)
        builder.graph.outputs = outputs.keys.sorted().map { GraphOutput(name: $0, node: outputs[$0]!) }
        return builder.graph
    }

    /// The interpreted outputs of the graph `body` builds on `values`, after checking that the
    /// compiled float32 outputs agree within `tolerance` (relative, with the same absolute floor).
    static func run(
        _ values: [String: ReferenceTensor], tolerance: Double = 1e-5,
        _ body: (inout GraphBuilder, [String: NodeID]) throws -> [String: NodeID]
    ) throws -> [String: [Double]] {
        let graph = try graph(values.mapValues(\.type), body)
        let (interpreted, compiled) = try GraphRunner.run(graph, inputs: values)
        for (name, expected) in interpreted {
            let actual = try #require(compiled[name])
            #expect(GraphRunner.close(actual, expected, relative: tolerance, absolute: tolerance), "output \(name): compiled \(actual) against interpreted \(expected)")
        }
        return interpreted
    }

    /// The message of the error the composite `body` throws on inputs of `types`.
    static func error(
        _ types: [String: TensorType], _ body: (inout GraphBuilder, [String: NodeID]) throws -> [String: NodeID]
    ) -> String? {
        GraphRunner.errorMessage { _ = try graph(types, body) }
    }
}
