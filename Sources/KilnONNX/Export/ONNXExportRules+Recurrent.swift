import KilnIR

extension ONNXExportRules {
    /// `lstm_sequence` unrolled into ONNX operators (ONNX's own LSTM returns only the final cell
    /// state, the node returns every step's): the weights unpacked from their panels once, then
    /// per step two MatMuls, the gates and the state update, and the states stacked as
    /// `[2, B, T, H]`.
    static let lstmSequence: ONNXExportRule = { (context: inout ExportContext, node: Node, operands: [String]) throws(KilnError) -> String in
        let shape = node.type.shape
        let (batch, steps, hidden) = (shape[1], shape[2], shape[3])
        let reverse = node.attributes.bool("reverse", default: false)
        func slice(_ value: String, axis: Int, _ range: Range<Int>) -> String {
            context.emit("Slice", [value, context.integers([range.lowerBound]), context.integers([range.upperBound]), context.integers([axis])])
        }
        func unpack(_ panels: String) -> String {
            let rows = context.emit("Transpose", [panels], [ONNXAttribute.ints("perm", [1, 0, 2])])
            return slice(context.emit("Reshape", [rows, context.integers([0, -1])]), axis: 1, 0..<(4 * hidden))
        }
        let wx = unpack(operands[1]), wh = unpack(operands[2]), bias = operands[3]
        var h: String? = operands.count == 6 ? operands[4] : nil
        var c: String? = operands.count == 6 ? operands[5] : nil
        var hs = [String](repeating: "", count: steps), cs = hs
        for t in reverse ? Array((0..<steps).reversed()) : Array(0..<steps) {
            let x = context.emit("Reshape", [slice(operands[0], axis: 1, t..<(t + 1)), context.integers([batch, -1])])
            var pre = context.emit("Add", [context.emit("MatMul", [x, wx]), bias])
            if let h { pre = context.emit("Add", [pre, context.emit("MatMul", [h, wh])]) }
            let gates = pre
            func gate(_ index: Int) -> String { slice(gates, axis: 1, (index * hidden)..<((index + 1) * hidden)) }
            let i = context.emit("Sigmoid", [gate(0)]), f = context.emit("Sigmoid", [gate(1)])
            let u = context.emit("Tanh", [gate(2)]), o = context.emit("Sigmoid", [gate(3)])
            var cell = context.emit("Mul", [i, u])
            if let c { cell = context.emit("Add", [context.emit("Mul", [f, c]), cell]) }
            let state = context.emit("Mul", [o, context.emit("Tanh", [cell])])
            (h, c) = (state, cell)
            hs[t] = context.emit("Reshape", [state, context.integers([1, batch, 1, hidden])])
            cs[t] = context.emit("Reshape", [cell, context.integers([1, batch, 1, hidden])])
        }
        let planes = [hs, cs].map { context.emit("Concat", $0, [ONNXAttribute.int("axis", 2)]) }
        return context.emit("Concat", planes, [ONNXAttribute.int("axis", 0)], final: true)
    }
}
