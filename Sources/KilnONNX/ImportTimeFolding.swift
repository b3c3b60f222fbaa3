import KilnIR
import KilnInterpreter
import KilnOps

/// Evaluates at import time the nodes whose inputs are all import-time values (the `Shape` →
/// `Gather` → `Concat` → `Reshape` arithmetic exporters emit), with the reference interpreter.
///
/// Integer values are evaluated as float32 (exact below 2²⁴, far above any dimension) and the
/// results of integer computations are rounded toward zero back to int64, as ONNX integer
/// division does. Float initializers are never folded: they stay trainable parameters.
enum ImportTimeFolding {
    /// Operators that produce import-time values themselves.
    private static let producers: Set<String> = ["Constant", "Shape", "ConstantOfShape"]

    /// The import-time values of `node`'s outputs, or nil when it must run in the graph.
    static func fold(_ node: ONNXNode, converter: ONNXConverter, context: ImportContext) throws(KilnError) -> [TensorValue]? {
        let present = node.inputs.indices.compactMap { node.input($0) }
        guard !producers.contains(node.opType), !present.isEmpty,
              present.allSatisfy({ context.constants[$0] != nil }) else { return nil }
        let integral = present.contains { context.constants[$0]!.type.dtype.isInteger }
        var scratch = ImportContext(name: "fold")
        for (index, name) in node.inputs.enumerated() where !name.isEmpty {
            let value = context.constants[name]!
            let keepsIntegers = node.opType == "Gather" && index == 1
            scratch.constants[name] = value.type.dtype.isInteger && !keepsIntegers
                ? TensorValue(shape: value.shape, floats: value.integers.map(Float.init)) : value
        }
        let outputs = try converter(&scratch, node)
        scratch.builder.graph.outputs = outputs.enumerated().map { GraphOutput(name: "o\($0.offset)", node: $0.element) }
        let results = try Interpreter.run(scratch.builder.graph, inputs: [:], parameters: [:])
        let castTarget = node.opType == "Cast" ? ONNXTensor.ElementType(rawValue: Int32(node.int("to", default: 1))) : nil
        let integerResult = castTarget.map { $0 != .float && $0 != .double && $0 != .float16 } ?? integral
        var folded: [TensorValue] = []
        for index in outputs.indices {
            let value = results["o\(index)"]!
            guard integerResult, value.type.dtype == .float32 else {
                folded.append(value.tensorValue)
                continue
            }
            var integers: [Int64] = []
            for element in value.values {
                guard let integer = Int64(exactly: element.rounded(.towardZero)) else {
                    throw node.error("an integer result at import time is \(element)")
                }
                integers.append(integer)
            }
            folded.append(TensorValue(dtype: .int64, shape: value.shape, integers: integers))
        }
        return folded
    }
}
