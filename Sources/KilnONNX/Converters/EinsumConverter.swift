import KilnIR

extension ONNXConverters {
    /// `Einsum` lowered to sums, transposes, reshapes and batched matrix products: the operands
    /// are contracted left to right, each pair as one `matmul` of [batch, left, contracted] by
    /// [batch, contracted, right] (an outer product when nothing is contracted), after summing
    /// the indices only one operand has and nothing later needs; the result is transposed to the
    /// output's order. Diagonals (an index repeated in one operand) and ellipses are an error.
    static let einsum: ONNXConverter = { (context: inout ImportContext, node: ONNXNode) throws(KilnError) -> [NodeID] in
        var operands: [NodeID] = []
        for index in node.inputs.indices where node.input(index) != nil { operands.append(try context.input(index, of: node)) }
        guard !operands.isEmpty else { throw node.error("needs at least one input") }
        let shapes = operands.map { context.type(of: $0).shape }
        let equation = try EinsumEquation(node.string("equation", default: ""), ranks: shapes.map(\.rank), node: node)
        let extents = try equation.extents(shapes, node: node)
        var lowering = EinsumLowering(extents: extents, node: node)
        var term = EinsumLowering.Term(id: operands[0], letters: equation.operands[0])
        for index in operands.indices {
            let later = Set(equation.output + equation.operands[(index + 1)...].flatMap { $0 })
            if index == 0 {
                term = try lowering.summed(term, keeping: later, &context)
            } else {
                let next = EinsumLowering.Term(id: operands[index], letters: equation.operands[index])
                term = try lowering.contracted(term, next, keeping: later, &context)
            }
        }
        return [try lowering.permuted(term, to: equation.output, &context).id]
    }
}

/// The steps of an `Einsum` lowering over index letters of known extents.
struct EinsumLowering {
    /// A node and the index letter of each of its axes.
    struct Term {
        var id: NodeID
        var letters: [Character]
    }

    let extents: [Character: Int]
    let node: ONNXNode

    /// `term` with the axes whose letters are not in `keep` summed away.
    func summed(_ term: Term, keeping keep: Set<Character>, _ context: inout ImportContext) throws(KilnError) -> Term {
        let axes = term.letters.indices.filter { !keep.contains(term.letters[$0]) }
        guard !axes.isEmpty else { return term }
        let id = try context.add("sum", [term.id], attributes: ["axes": .ints(axes), "keepdims": .bool(false)], for: node)
        return Term(id: id, letters: term.letters.filter { keep.contains($0) })
    }

    /// `term` transposed so that its letters read `order`.
    func permuted(_ term: Term, to order: [Character], _ context: inout ImportContext) throws(KilnError) -> Term {
        guard term.letters != order else { return term }
        let perm = order.map { letter in term.letters.firstIndex(of: letter)! }
        return Term(id: try context.add("transpose", [term.id], attributes: ["perm": .ints(perm)], for: node), letters: order)
    }

    /// `term` reshaped to `dimensions` (nothing when it has them already).
    func reshaped(_ id: NodeID, _ dimensions: [Int], _ context: inout ImportContext) throws(KilnError) -> NodeID {
        context.type(of: id).shape.dimensions == dimensions ? id : try ONNXConverters.reshaped(id, dimensions, &context, node)
    }

    /// The product of `a` and `b` over their shared letters, keeping the letters in `keep`.
    func contracted(_ a: Term, _ b: Term, keeping keep: Set<Character>, _ context: inout ImportContext) throws(KilnError) -> Term {
        let a = try summed(a, keeping: keep.union(b.letters), &context)
        let b = try summed(b, keeping: keep.union(a.letters), &context)
        let batch = a.letters.filter { b.letters.contains($0) && keep.contains($0) }
        let inner = a.letters.filter { b.letters.contains($0) && !keep.contains($0) }
        let left = a.letters.filter { !b.letters.contains($0) }, right = b.letters.filter { !a.letters.contains($0) }
        func size(_ letters: [Character]) -> Int { letters.reduce(1) { $0 * extents[$1]! } }
        let lhs = try reshaped(try permuted(a, to: batch + left + inner, &context).id, [size(batch), size(left), size(inner)], &context)
        let rhs = try reshaped(try permuted(b, to: batch + inner + right, &context).id, [size(batch), size(inner), size(right)], &context)
        let product = try context.add("matmul", [lhs, rhs], for: node)
        let letters = batch + left + right
        return Term(id: try reshaped(product, letters.map { extents[$0]! }, &context), letters: letters)
    }
}
