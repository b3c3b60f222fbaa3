import KilnIR
import KilnInterpreter
import KilnOps

/// Evaluates at import time the nodes whose inputs are all import-time values (the `Shape` →
/// `Gather` → `Concat` → `Reshape` arithmetic exporters emit, zero states, causal masks), whatever
/// their operator, before the importer asks whether the operator is supported.
///
/// Results keep ONNX's type rules (``ONNXTypeRules``): the output type is the operator's, not the
/// inputs'. Operators with an exact evaluator (``ConstantEvaluators``: integer arithmetic, `Mod`,
/// `Range`, `Trilu`, `Cast`, comparisons, `Where`, ...) use it; the others run their converter on
/// a scratch graph through the float64 reference interpreter, integer inputs as exact doubles.
/// Float initializers are never folded: they stay trainable parameters.
enum ImportTimeFolding {
    /// Operators that produce import-time values themselves.
    private static let producers: Set<String> = ["Constant", "Shape", "Size", "ConstantOfShape"]

    /// Operators whose Kiln lowering moves elements without arithmetic, so integer inputs keep
    /// their type in the scratch graph.
    private static let dataMovement: Set<String> = [
        "Reshape", "Transpose", "Squeeze", "Unsqueeze", "Flatten", "Concat", "Split", "Slice", "Expand",
        "Pad", "Tile", "Identity", "Dropout",
    ]

    /// Whether `node` can be folded: it has inputs, all known at import time.
    static func canFold(_ node: ONNXNode, context: ImportContext) -> Bool {
        let present = node.inputs.indices.compactMap { node.input($0) }
        return !producers.contains(node.opType) && !present.isEmpty && present.allSatisfy { context.constants[$0] != nil }
    }

    /// The import-time values of `node`'s outputs, or nil when it must run in the graph (or has
    /// neither an evaluator nor a converter).
    static func fold(_ node: ONNXNode, converter: ONNXConverter?, context: ImportContext) throws(KilnError) -> [TensorValue]? {
        guard canFold(node, context: context) else { return nil }
        let inputs = node.inputs.map { $0.isEmpty ? nil : context.constants[$0] }
        if let evaluator = ConstantEvaluators.table[node.opType] { return try evaluator(node, inputs) }
        guard let converter else { return nil }
        return try interpret(node, inputs: inputs, converter: converter, context: context)
    }

    /// Runs `converter` on a scratch graph of constants and rounds each result to its ONNX type.
    private static func interpret(
        _ node: ONNXNode, inputs: [TensorValue?], converter: ONNXConverter, context: ImportContext
    ) throws(KilnError) -> [TensorValue] {
        var scratch = ImportContext(name: "fold", opset: context.opset)
        for name in node.inputs where !name.isEmpty {
            let value = context.constants[name]!
            scratch.constants[name] = value
            if value.type.dtype.isInteger && !dataMovement.contains(node.opType) {
                scratch.values[name] = scratch.builder.leaf(
                    Node.constantOp, type: TensorType(.float32, value.shape), name: name, attributes: ["value": .floats(value.doubles)])
            }
        }
        let outputs = try converter(&scratch, node)
        scratch.builder.graph.outputs = outputs.enumerated().map { GraphOutput(name: "o\($0.offset)", node: $0.element) }
        let results = try Interpreter.run(scratch.builder.graph, inputs: [:], parameters: [:])
        let types = try ONNXTypeRules.outputTypes(node, inputs: inputs)
        return outputs.indices.map { index in
            let value = results["o\(index)"]!
            let dtype = index < types.count ? types[index] : value.type.dtype
            return TensorValue(type: TensorType(dtype, value.shape), doubles: value.values)
        }
    }
}
