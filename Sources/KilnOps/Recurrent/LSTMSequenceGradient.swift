import KilnIR

/// The gradient of `lstm_sequence`: one `lstm_sequence_backward` node for the gates' gradients
/// dG `[B·T, 4H]` and ∂h₀, ∂C₀, then one product over all steps per weight:
/// ∂x = dG·W_xᵀ, ∂W_x = xᵀ·dG, ∂W_h = h_prevᵀ·dG (h_prev: each position's previous hidden
/// state, h₀ or zeros first), ∂b = Σ dG; the weight gradients are packed into panels like the
/// weights (the panels' own gradient is the unpacking, so ∂W reaches the unpacked parameters).
enum LSTMSequenceGradient {
    static func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let node = context.node
        let g = try! LSTMSequence().geometry(node.inputs.map { context.type(of: $0) }, node.attributes)
        let (batch, steps, features, hidden, gates) = (g.batch, g.steps, g.features, g.hidden, g.gates)
        let rows = batch * steps
        let wx = try context.builder.unpackPanels(context.input(1), columns: gates)
        let wh = try context.builder.unpackPanels(context.input(2), columns: gates)
        var inputs = [context.input(0), context.input(1), context.input(2), context.input(3), wh, node.id, context.outputGradient]
        if g.hasInitial { inputs += [context.input(4), context.input(5)] }
        let back = try context.add("lstm_sequence_backward", inputs, attributes: ["reverse": .bool(g.reverse)])
        let dG = try context.add("slice", [back], attributes: ["starts": .ints([0]), "ends": .ints([rows]), "axes": .ints([0])])
        let x = try context.add("reshape", [context.input(0)], attributes: ["shape": .ints([rows, features])])
        let dx = try context.add(
            "reshape", [try context.add("matmul", [dG, wx], attributes: ["transpose_b": .bool(true)])],
            attributes: ["shape": .ints([batch, steps, features])])
        let dWx = try context.add("matmul", [x, dG], attributes: ["transpose_a": .bool(true)])
        let db = try context.add("sum", [dG], attributes: ["axes": .ints([0])])
        let dWh = try context.add("matmul", [try previousHidden(&context, g), dG], attributes: ["transpose_a": .bool(true)])
        var result: [NodeID?] = [dx, try context.builder.packPanels(dWx), try context.builder.packPanels(dWh), db]
        if g.hasInitial {
            for block in 0..<2 {
                result.append(try context.add(
                    "slice", [back],
                    attributes: ["starts": .ints([rows, block * hidden]), "ends": .ints([rows + batch, (block + 1) * hidden]), "axes": .ints([0, 1])]))
            }
        }
        return result
    }

    /// `[B·T, H]`: row `b·T + t` holds the hidden state before position t (h₀, or zeros, first).
    static func previousHidden(_ context: inout GradientContext, _ g: LSTMSequenceGeometry) throws(KilnError) -> NodeID {
        let (batch, steps, hidden) = (g.batch, g.steps, g.hidden)
        func states(_ range: Range<Int>) throws(KilnError) -> NodeID {
            let part = try context.add(
                "slice", [context.node.id],
                attributes: ["starts": .ints([0, range.lowerBound]), "ends": .ints([1, range.upperBound]), "axes": .ints([0, 2])])
            return try context.add("reshape", [part], attributes: ["shape": .ints([batch, range.count, hidden])])
        }
        let first: NodeID
        if g.hasInitial {
            first = try context.add("reshape", [context.input(4)], attributes: ["shape": .ints([batch, 1, hidden])])
        } else {
            first = try context.add("mul", [try states(0..<1), context.scalar(0)])
        }
        var parts = [first]
        if steps > 1 { parts = g.reverse ? [try states(1..<steps), first] : [first, try states(0..<(steps - 1))] }
        let sequence = parts.count == 1 ? first : try context.add("concat", parts, attributes: ["axis": .int(1)])
        return try context.add("reshape", [sequence], attributes: ["shape": .ints([batch * steps, hidden])])
    }
}
