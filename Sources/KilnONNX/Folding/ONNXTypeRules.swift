import KilnIR

/// ONNX's rules for the element type of an operator's outputs, in Kiln's types (float32 for
/// floats and for booleans, which Kiln holds as 0/1 masks; int64 for the other integers).
enum ONNXTypeRules {
    /// Operators whose outputs are booleans.
    static let booleanResults: Set<String> = [
        "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "Not", "And", "Or", "Xor", "IsNaN", "IsInf",
    ]

    /// Operators whose outputs are int64 whatever their inputs.
    static let indexResults: Set<String> = ["Shape", "Size", "ArgMax", "ArgMin", "NonZero"]

    /// The element type of each output of `node` given its inputs' values (nil where omitted).
    static func outputTypes(_ node: ONNXNode, inputs: [TensorValue?]) throws(KilnError) -> [DType] {
        let first = inputs.first.flatMap { $0?.type.dtype } ?? .float32
        switch node.opType {
        case _ where booleanResults.contains(node.opType): return [.float32]
        case _ where indexResults.contains(node.opType): return [.int64]
        case "Cast": return [try castTarget(node).kilnType]
        case "Where": return [inputs.count > 1 ? inputs[1]?.type.dtype ?? first : first]
        case "TopK": return [first, .int64]
        default: return Array(repeating: first, count: max(1, node.outputs.count))
        }
    }

    /// `Cast`'s target type (`to`), which must be one Kiln holds.
    static func castTarget(_ node: ONNXNode) throws(KilnError) -> ONNXTensor.ElementType {
        let number = node.int("to", default: Int(ONNXTensor.ElementType.float.rawValue))
        guard let target = ONNXTensor.ElementType(number: number) else {
            throw node.error("cannot cast to element type \(number); Kiln holds floats, integers and booleans")
        }
        return target
    }
}
