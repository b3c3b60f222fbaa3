import Foundation
import KilnIR
import KilnOps
import Testing

/// The unrolled RNN, LSTM and GRU against the catalog's equations evaluated step by step in the
/// test, interpreted and compiled, forwards and backwards, from zeros and from a given state.
@Suite struct RecurrentTests {
    static let (batch, steps, features, hidden) = (2, 4, 3, 5)

    /// Random weights for `cell` and an input sequence.
    private func values(_ cell: RecurrentCell, seed: UInt64) -> [String: ReferenceTensor] {
        let columns = cell.gateCount * Self.hidden
        return [
            "x": randomTensor([Self.batch, Self.steps, Self.features], seed: seed),
            "wx": randomTensor([Self.features, columns], seed: seed + 1),
            "wh": randomTensor([Self.hidden, columns], seed: seed + 2),
            "b": randomTensor([columns], seed: seed + 3),
            "h0": randomTensor([Self.batch, Self.hidden], seed: seed + 4),
            "c0": randomTensor([Self.batch, Self.hidden], seed: seed + 5),
        ]
    }

    /// One step of the catalog's equations for one sequence: the next (h, C).
    private func step(
        _ cell: RecurrentCell, x: ReferenceMatrix, h: ReferenceMatrix, c: ReferenceMatrix, _ w: [String: ReferenceMatrix]
    ) -> (ReferenceMatrix, ReferenceMatrix) {
        let size = Self.hidden
        let block = { (m: ReferenceMatrix, index: Int) in m.columns(index * size..<(index + 1) * size) }
        let input = (x * w["wx"]!).addingRow(w["b"]!.values)
        switch cell {
        case .rnn:
            return ((input + h * w["wh"]!).map(Foundation.tanh), c)
        case .lstm:
            let gates = input + h * w["wh"]!
            let i = block(gates, 0).map(logistic), f = block(gates, 1).map(logistic)
            let candidate = block(gates, 2).map(Foundation.tanh), o = block(gates, 3).map(logistic)
            let cell = ReferenceMatrix(rows: 1, columns: size, values: (0..<size).map { f.values[$0] * c.values[$0] + i.values[$0] * candidate.values[$0] })
            return (ReferenceMatrix(rows: 1, columns: size, values: (0..<size).map { o.values[$0] * Foundation.tanh(cell.values[$0]) }), cell)
        case .gru:
            let z = (block(input, 0) + h * block(w["wh"]!, 0)).map(logistic)
            let r = (block(input, 1) + h * block(w["wh"]!, 1)).map(logistic)
            let reset = ReferenceMatrix(rows: 1, columns: size, values: zip(r.values, h.values).map { $0 * $1 })
            let candidate = (block(input, 2) + reset * block(w["wh"]!, 2)).map(Foundation.tanh)
            let next = (0..<size).map { (1 - z.values[$0]) * h.values[$0] + z.values[$0] * candidate.values[$0] }
            return (ReferenceMatrix(rows: 1, columns: size, values: next), c)
        }
    }

    /// Every step's hidden state and the final (h, C) of sequence `sample`, by the equations.
    private func expected(
        _ cell: RecurrentCell, _ values: [String: ReferenceTensor], sample: Int, fromState: Bool, reverse: Bool
    ) -> (outputs: [[Double]], hidden: [Double], cell: [Double]) {
        let w = ["wx", "wh", "b"].reduce(into: [String: ReferenceMatrix]()) { $0[$1] = ReferenceMatrix(values[$1]!) }
        let zeros = ReferenceMatrix(rows: 1, columns: Self.hidden, values: Array(repeating: 0, count: Self.hidden))
        var h = fromState ? ReferenceMatrix(values["h0"]!).row(sample) : zeros
        var c = fromState ? ReferenceMatrix(values["c0"]!).row(sample) : zeros
        var outputs = [[Double]](repeating: [], count: Self.steps)
        for position in reverse ? Array((0..<Self.steps).reversed()) : Array(0..<Self.steps) {
            (h, c) = step(cell, x: ReferenceMatrix(values["x"]!, matrix: sample).row(position), h: h, c: c, w)
            outputs[position] = h.values
        }
        return (outputs, h.values, c.values)
    }

    private func check(_ cell: RecurrentCell, fromState: Bool, reverse: Bool, seed: UInt64) throws {
        let values = values(cell, seed: seed)
        let outputs = try CompositeRunner.run(values) { builder, x in
            let weights = RecurrentWeights(input: x["wx"]!, hidden: x["wh"]!, bias: x["b"]!)
            let initial = fromState ? RecurrentState(hidden: x["h0"]!, cell: cell == .lstm ? x["c0"]! : nil) : nil
            let result = try builder.recurrentLayer(cell, x["x"]!, weights: weights, initial: initial, reverse: reverse)
            var named = ["y": result.outputs, "h": result.final.hidden]
            if let final = result.final.cell { named["c"] = final }
            return named
        }
        let size = Self.hidden
        for sample in 0..<Self.batch {
            let reference = expected(cell, values, sample: sample, fromState: fromState, reverse: reverse)
            let y = Array(outputs["y"]![sample * Self.steps * size..<(sample + 1) * Self.steps * size])
            #expect(GraphRunner.close(y, reference.outputs.flatMap { $0 }, relative: 1e-12, absolute: 1e-12), "\(cell) y")
            #expect(GraphRunner.close(Array(outputs["h"]![sample * size..<(sample + 1) * size]), reference.hidden, relative: 1e-12, absolute: 1e-12))
            if cell == .lstm {
                #expect(GraphRunner.close(Array(outputs["c"]![sample * size..<(sample + 1) * size]), reference.cell, relative: 1e-12, absolute: 1e-12))
            }
        }
    }

    @Test(arguments: RecurrentCell.allCases)
    func unrolledCellMatchesItsEquations(cell: RecurrentCell) throws {
        try check(cell, fromState: false, reverse: false, seed: 100)
        try check(cell, fromState: true, reverse: false, seed: 200)
        try check(cell, fromState: true, reverse: true, seed: 300)
    }

    @Test func oneStepEqualsTheFirstUnrolledStep() throws {
        let values = values(.lstm, seed: 400)
        let outputs = try CompositeRunner.run(values) { builder, x in
            let weights = RecurrentWeights(input: x["wx"]!, hidden: x["wh"]!, bias: x["b"]!)
            let first = try builder.add("reshape", [try builder.add(
                "slice", [x["x"]!], attributes: ["starts": .ints([0]), "ends": .ints([1]), "axes": .ints([1])])],
                attributes: ["shape": .ints([Self.batch, Self.features])])
            let stepped = try builder.recurrentStep(.lstm, input: first, state: RecurrentState(hidden: x["h0"]!, cell: x["c0"]!), weights: weights)
            let unrolled = try builder.recurrentLayer(.lstm, x["x"]!, weights: weights, initial: RecurrentState(hidden: x["h0"]!, cell: x["c0"]!))
            let firstOutput = try builder.add(
                "slice", [unrolled.outputs], attributes: ["starts": .ints([0]), "ends": .ints([1]), "axes": .ints([1])])
            return ["stepped": stepped.hidden, "unrolled": firstOutput]
        }
        #expect(outputs["stepped"] == outputs["unrolled"])
    }

    @Test func weightsAreOneNodeReadByEveryStep() throws {
        let graph = try CompositeRunner.graph(values(.gru, seed: 500).mapValues(\.type)) { builder, x in
            ["y": try builder.recurrentLayer(.gru, x["x"]!, weights: RecurrentWeights(input: x["wx"]!, hidden: x["wh"]!, bias: x["b"]!)).outputs]
        }
        let hiddenWeight = try #require(graph.node(named: "wh")).id
        let readers = graph.nodes.filter { $0.inputs.contains(hiddenWeight) }
        #expect(readers.count == 2)  // split once into the gate and candidate columns
        let products = graph.nodes.filter { $0.op == "matmul" }
        #expect(products.count == 1 + 2 * (Self.steps - 1))  // the input projection, then W_h twice per step after the first
    }
}
