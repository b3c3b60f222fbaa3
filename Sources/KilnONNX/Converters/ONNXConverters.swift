import KilnIR

/// Converts one ONNX node into Kiln nodes and returns the node of each ONNX output, in order.
typealias ONNXConverter = @Sendable (inout ImportContext, ONNXNode) throws(KilnError) -> [NodeID]

/// The ONNX operators Kiln imports, each mapped to its converter.
enum ONNXConverters {
    static let table: [String: ONNXConverter] = elementwise
        .merging(linear) { first, _ in first }
        .merging(shape) { first, _ in first }
        .merging(reduction) { first, _ in first }
        .merging(convolution) { first, _ in first }
        .merging(normalization) { first, _ in first }
        .merging(recurrent) { first, _ in first }
        .merging(math) { first, _ in first }
        .merging(["Einsum": einsum]) { first, _ in first }
        .merging(compositeReduction) { first, _ in first }
        .merging(scatter) { first, _ in first }
        .merging(exporterPatterns) { first, _ in first }

    /// A converter that applies Kiln operator `op` to all inputs with fixed attributes.
    static func direct(_ op: String, attributes: Attributes = [:]) -> ONNXConverter {
        { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
            var inputs: [NodeID] = []
            for index in node.inputs.indices where node.input(index) != nil {
                inputs.append(try context.input(index, of: node))
            }
            return [try context.add(op, inputs, attributes: attributes, for: node)]
        }
    }
}
