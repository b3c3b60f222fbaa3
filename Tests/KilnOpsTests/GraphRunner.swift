import KilnIR
import KilnInterpreter
import KilnOps
import KilnRuntime

/// Runs small graphs on the float64 interpreter and as compiled float32 C, for tests that compare
/// against hand-computed values.
enum GraphRunner {
    /// The graph's outputs, interpreted and compiled.
    static func run(
        _ graph: Graph, inputs: [String: ReferenceTensor], parameters: [String: ReferenceTensor] = [:]
    ) throws -> (interpreted: [String: [Double]], compiled: [String: [Double]]) {
        try OperatorRegistry.verify(graph)
        let interpreted = try Interpreter.run(graph, inputs: inputs, parameters: parameters).mapValues(\.values)
        let executable = try Executable(graph: graph, parameters: parameters.mapValues(\.tensorValue))
        let compiled = try executable.run(inputs.mapValues(\.tensorValue)).mapValues(\.doubles)
        return (interpreted, compiled)
    }

    /// `op(inputs…)` as a one-node graph, interpreted and compiled.
    static func apply(
        _ op: String, _ inputs: [ReferenceTensor], attributes: Attributes = [:]
    ) throws -> (interpreted: [Double], compiled: [Double]) {
        var builder = GraphBuilder(name: op)
        let leaves = inputs.enumerated().map { builder.leaf(Node.inputOp, type: $1.type, name: "x\($0)") }
        let y = try builder.add(op, leaves, attributes: attributes, name: "y")
        builder.graph.outputs = [GraphOutput(name: "y", node: y)]
        let values = Dictionary(uniqueKeysWithValues: inputs.enumerated().map { ("x\($0)", $1) })
        let results = try run(builder.graph, inputs: values)
        return (results.interpreted["y"] ?? [], results.compiled["y"] ?? [])
    }

    /// A float32 vector (or tensor of `shape`) holding `values`.
    static func tensor(_ values: [Double], _ shape: Shape? = nil) -> ReferenceTensor {
        ReferenceTensor(shape: shape ?? [values.count], values)
    }

    /// The message of the error `body` throws, or nil when it throws none.
    static func errorMessage(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return "\(error)"
        }
    }
}

extension GraphRunner {
    /// Whether `actual` matches `expected` element by element within
    /// |a − e| ≤ absolute + relative·|e|, with equal counts.
    static func close(_ actual: [Double], _ expected: [Double], relative: Double = 1e-6, absolute: Double = 0) -> Bool {
        actual.count == expected.count
            && zip(actual, expected).allSatisfy { abs($0 - $1) <= absolute + relative * abs($1) }
    }
}
