import KilnIR
import KilnInterpreter
import KilnOps
import KilnRuntime

/// Runs one operator node on concrete values, both in the reference interpreter and compiled.
struct OneNodeRun {
    /// The output type the shape rule inferred.
    var type: TensorType
    /// The interpreter's output.
    var reference: [Double]
    /// The compiled code's output.
    var compiled: [Double]

    init(_ op: String, _ inputs: [TensorValue], _ attributes: Attributes = [:], backend: TCCBackend = TCCBackend()) throws {
        try self.init(op, inputs, attributes, execution: ExecutionBackend(.tcc, tcc: backend))
    }

    /// The same with the compiled side built by `execution` (the native compiler, for instance).
    init(_ op: String, _ inputs: [TensorValue], _ attributes: Attributes, execution: ExecutionBackend) throws {
        var builder = GraphBuilder(name: "test_\(op)")
        let leaves = inputs.enumerated().map { index, value in
            builder.leaf(Node.inputOp, type: value.type, name: "x\(index)")
        }
        let output = try builder.add(op, leaves, attributes: attributes, name: "y")
        builder.graph.outputs = [GraphOutput(name: "y", node: output)]
        let named = Dictionary(uniqueKeysWithValues: inputs.enumerated().map { ("x\($0.offset)", $0.element) })
        type = builder.graph[output].type
        reference = try Interpreter.run(builder.graph, inputs: named.mapValues(ReferenceTensor.init), parameters: [:])["y"]!.values
        compiled = try Executable(graph: builder.graph, parameters: [:], backend: execution).run(named)["y"]!.doubles
    }
}

/// The shape error an operator's shape rule gives for these inputs and attributes, if any.
func shapeError(_ op: String, _ inputs: [TensorType], _ attributes: Attributes = [:]) -> String? {
    guard let definition = OperatorRegistry.operator(op) else { return "no operator \(op)" }
    do {
        _ = try definition.inferType(inputs, attributes)
        return nil
    } catch {
        return error.message
    }
}

extension TensorValue {
    /// A float32 tensor of the given shape and values (test shorthand).
    static func f32(_ dimensions: [Int], _ values: [Float]) -> TensorValue {
        TensorValue(shape: Shape(dimensions), floats: values)
    }

    /// An int64 tensor of the given shape and values (test shorthand).
    static func i64(_ dimensions: [Int], _ values: [Int64]) -> TensorValue {
        TensorValue(dtype: .int64, shape: Shape(dimensions), integers: values)
    }
}

/// Whether every element of `actual` is within `tolerance` of `expected` (NaN matches NaN).
func close(_ actual: [Double], _ expected: [Double], tolerance: Double = 1e-6) -> Bool {
    actual.count == expected.count
        && zip(actual, expected).allSatisfy { ($0.isNaN && $1.isNaN) || abs($0 - $1) <= tolerance * max(1, abs($1)) }
}
