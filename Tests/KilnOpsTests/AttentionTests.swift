import Foundation
import KilnIR
import KilnOps
import Testing

/// The attention composites against attention computed by hand (float64, in the test), each run
/// interpreted and compiled.
@Suite struct AttentionTests {
    /// softmax(q·kᵀ·scale over the allowed keys)·v for one matrix of queries.
    private func attention(
        _ q: ReferenceMatrix, _ k: ReferenceMatrix, _ v: ReferenceMatrix, scale: Double,
        allowed: (Int, Int) -> Bool = { _, _ in true }
    ) -> (output: ReferenceMatrix, weights: ReferenceMatrix) {
        let weights = (q * k.transposed).map { $0 * scale }.softmaxRows(allowed: allowed)
        return (weights * v, weights)
    }

    @Test func scaledDotProductAttentionWithAPaddingMask() throws {
        let values = [
            "q": randomTensor([2, 3, 4], seed: 1), "k": randomTensor([2, 5, 4], seed: 2), "v": randomTensor([2, 5, 2], seed: 3),
            "keep": GraphRunner.tensor([1, 1, 1, 0, 0, 1, 1, 1, 1, 1], [2, 5]),
        ]
        let outputs = try CompositeRunner.run(values) { builder, x in
            let mask = try builder.paddingMask(x["keep"]!)
            let result = try builder.scaledDotProductAttention(query: x["q"]!, key: x["k"]!, value: x["v"]!, mask: mask)
            return ["y": result.output, "w": result.weights]
        }
        for batch in 0..<2 {
            let expected = attention(
                ReferenceMatrix(values["q"]!, matrix: batch), ReferenceMatrix(values["k"]!, matrix: batch),
                ReferenceMatrix(values["v"]!, matrix: batch), scale: 0.5) { _, key in batch == 1 || key < 3 }
            #expect(GraphRunner.close(Array(outputs["y"]![batch * 6..<(batch + 1) * 6]), expected.output.values, relative: 1e-12, absolute: 1e-12))
            #expect(GraphRunner.close(Array(outputs["w"]![batch * 15..<(batch + 1) * 15]), expected.weights.values, relative: 1e-12, absolute: 1e-12))
        }
        #expect(outputs["w"]![3] == 0 && outputs["w"]![4] == 0)
    }

    @Test func causalMaskIsLowerTriangular() throws {
        let outputs = try CompositeRunner.run([:]) { builder, _ in ["m": try builder.causalMask(queries: 3, keys: 4)] }
        #expect(outputs["m"] == [1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0])
        let window = try CompositeRunner.run([:]) { builder, _ in ["m": try builder.windowMask(queries: 3, keys: 4, window: 1)] }
        #expect(window["m"] == [1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1])
    }

    @Test func causalAttentionNeverLooksAhead() throws {
        var values = ["x": randomTensor([1, 5, 4], seed: 4)]
        let build = { (builder: inout GraphBuilder, x: [String: NodeID]) throws -> [String: NodeID] in
            let mask = try builder.causalMask(queries: 5, keys: 5)
            return ["y": try builder.scaledDotProductAttention(query: x["x"]!, key: x["x"]!, value: x["x"]!, mask: mask).output]
        }
        let before = try CompositeRunner.run(values, build)["y"]!
        values["x"]!.values[12] += 5  // position 3 changes
        let after = try CompositeRunner.run(values, build)["y"]!
        #expect(before[..<12] == after[..<12])
        #expect(before[12...] != after[12...])
        let q = ReferenceMatrix(values["x"]!)
        #expect(GraphRunner.close(after, attention(q, q, q, scale: 0.5) { $1 <= $0 }.output.values, relative: 1e-12, absolute: 1e-12))
    }

    @Test func multiHeadAttentionMatchesHeadsComputedByHand() throws {
        let (dModel, heads) = (4, 2)
        var values = ["x": randomTensor([1, 3, dModel], seed: 5), "memory": randomTensor([1, 4, dModel], seed: 6)]
        for (index, name) in ["wq", "wk", "wv", "wo"].enumerated() { values[name] = randomTensor([dModel, dModel], seed: 10 + UInt64(index)) }
        for (index, name) in ["bq", "bk", "bv", "bo"].enumerated() { values[name] = randomTensor([dModel], seed: 20 + UInt64(index)) }
        let outputs = try CompositeRunner.run(values) { builder, x in
            let affine = { (w: String, b: String) in AffineWeights(weight: x[w]!, bias: x[b]!) }
            let result = try builder.multiHeadAttention(
                query: x["x"]!, key: x["memory"]!, value: x["memory"]!, heads: heads,
                projections: .separate(query: affine("wq", "bq"), key: affine("wk", "bk"), value: affine("wv", "bv")),
                output: affine("wo", "bo"))
            return ["y": result.output]
        }
        let matrix = { (name: String) in ReferenceMatrix(values[name]!) }
        let q = matrix("x") * matrix("wq"), k = matrix("memory") * matrix("wk"), v = matrix("memory") * matrix("wv")
        let bias = { (name: String) in values[name]!.values }
        let (queries, keys, valuesProjected) = (q.addingRow(bias("bq")), k.addingRow(bias("bk")), v.addingRow(bias("bv")))
        let width = dModel / heads
        let perHead = (0..<heads).map { head in
            let columns = head * width..<(head + 1) * width
            return attention(queries.columns(columns), keys.columns(columns), valuesProjected.columns(columns), scale: 1 / 2.0.squareRoot()).output
        }
        let expected = (ReferenceMatrix.sideBySide(perHead) * matrix("wo")).addingRow(bias("bo"))
        #expect(GraphRunner.close(outputs["y"]!, expected.values, relative: 1e-12, absolute: 1e-12))
    }

    @Test func packedProjectionsEqualSeparateOnes() throws {
        let dModel = 6
        let values = [
            "x": randomTensor([2, 3, dModel], seed: 7), "packed": randomTensor([dModel, 3 * dModel], seed: 8),
            "packed_bias": randomTensor([3 * dModel], seed: 9), "wo": randomTensor([dModel, dModel], seed: 10),
            "memory": randomTensor([2, 4, dModel], seed: 11),
        ]
        let outputs = try CompositeRunner.run(values) { builder, x in
            let output = AffineWeights(weight: x["wo"]!)
            let packed = AttentionProjections.packed(AffineWeights(weight: x["packed"]!, bias: x["packed_bias"]!))
            var separate: [AffineWeights] = []
            for block in 0..<3 {
                let range: Attributes = ["starts": .ints([block * dModel]), "ends": .ints([(block + 1) * dModel]), "axes": .ints([-1])]
                separate.append(AffineWeights(
                    weight: try builder.add("slice", [x["packed"]!], attributes: range),
                    bias: try builder.add("slice", [x["packed_bias"]!], attributes: range)))
            }
            let projections = AttentionProjections.separate(query: separate[0], key: separate[1], value: separate[2])
            let run = { (builder: inout GraphBuilder, key: NodeID, projections: AttentionProjections) throws -> NodeID in
                try builder.multiHeadAttention(
                    query: x["x"]!, key: key, value: key, heads: 3, projections: projections, output: output).output
            }
            return [
                "self_packed": try run(&builder, x["x"]!, packed), "self_separate": try run(&builder, x["x"]!, projections),
                "cross_packed": try run(&builder, x["memory"]!, packed), "cross_separate": try run(&builder, x["memory"]!, projections),
            ]
        }
        #expect(GraphRunner.close(outputs["self_packed"]!, outputs["self_separate"]!, relative: 1e-12, absolute: 1e-12))
        #expect(GraphRunner.close(outputs["cross_packed"]!, outputs["cross_separate"]!, relative: 1e-12, absolute: 1e-12))
    }

    @Test func additiveAttentionScoresWithATanhLayer() throws {
        let values = [
            "s": randomTensor([2, 1, 3], seed: 12), "h": randomTensor([2, 4, 5], seed: 13), "w": randomTensor([3, 6], seed: 14),
            "u": randomTensor([5, 6], seed: 15), "b": randomTensor([6], seed: 16), "v": randomTensor([6], seed: 17),
        ]
        let outputs = try CompositeRunner.run(values) { builder, x in
            let weights = AdditiveAttentionWeights(query: x["w"]!, key: x["u"]!, bias: x["b"]!, score: x["v"]!)
            let keys = try builder.additiveAttentionKeys(x["h"]!, weights: weights)
            let result = try builder.additiveAttention(query: x["s"]!, projectedKeys: keys, values: x["h"]!, weights: weights)
            return ["y": result.output, "a": result.weights]
        }
        let matrix = { (name: String) in ReferenceMatrix(values[name]!) }
        for batch in 0..<2 {
            let s = ReferenceMatrix(values["s"]!, matrix: batch), h = ReferenceMatrix(values["h"]!, matrix: batch)
            let query = s * matrix("w")
            let scores = (0..<4).map { j in
                let hidden = (query + (h.row(j) * matrix("u")).addingRow(values["b"]!.values)).map(Foundation.tanh)
                return zip(hidden.values, values["v"]!.values).reduce(0) { $0 + $1.0 * $1.1 }
            }
            let weights = ReferenceMatrix(rows: 1, columns: 4, values: scores).softmaxRows()
            #expect(GraphRunner.close(Array(outputs["a"]![batch * 4..<(batch + 1) * 4]), weights.values, relative: 1e-12, absolute: 1e-12))
            #expect(GraphRunner.close(Array(outputs["y"]![batch * 5..<(batch + 1) * 5]), (weights * h).values, relative: 1e-12, absolute: 1e-12))
        }
    }

    @Test func hardAttentionSelectsTheBestKey() throws {
        let query = GraphRunner.tensor([1, 0, 0, 1], [2, 2])
        let key = GraphRunner.tensor([0.5, 0, 2, 0.1, 0, 3, -1, 0], [4, 2])
        let value = GraphRunner.tensor([10, 20, 30, 40], [4, 1])
        let outputs = try CompositeRunner.run(["q": query, "k": key, "v": value, "m": GraphRunner.tensor([1, 0, 1, 1], [4])]) { builder, x in
            let plain = try builder.hardAttention(query: x["q"]!, key: x["k"]!, value: x["v"]!)
            let masked = try builder.hardAttention(query: x["q"]!, key: x["k"]!, value: x["v"]!, mask: x["m"]!)
            return ["y": plain.output, "w": plain.weights, "masked": masked.output]
        }
        #expect(outputs["w"] == [0, 1, 0, 0, 0, 0, 1, 0])
        #expect(outputs["y"] == [20, 30])
        #expect(outputs["masked"] == [10, 30])
    }

    @Test func localAttentionStaysInsideItsWindow() throws {
        let values = ["q": randomTensor([1, 5, 3], seed: 18), "k": randomTensor([1, 6, 3], seed: 19), "v": randomTensor([1, 6, 2], seed: 20)]
        let outputs = try CompositeRunner.run(values) { builder, x in
            let aligned = try builder.localAttention(query: x["q"]!, key: x["k"]!, value: x["v"]!, window: 1)
            let predicted = try builder.localAttention(query: x["q"]!, key: x["k"]!, value: x["v"]!, window: 1, centre: .predicted)
            return ["aligned": aligned.output, "predicted_weights": predicted.weights]
        }
        let (q, k, v) = (ReferenceMatrix(values["q"]!), ReferenceMatrix(values["k"]!), ReferenceMatrix(values["v"]!))
        let scale = 1 / 3.0.squareRoot()
        let aligned = attention(q, k, v, scale: scale) { abs($0 - $1) <= 1 }
        #expect(GraphRunner.close(outputs["aligned"]!, aligned.output.values, relative: 1e-12, absolute: 1e-12))
        let scores = q * k.transposed
        let centres = (0..<5).map { i in (0..<6).max { scores[i, $0] < scores[i, $1] }! }
        let predicted = attention(q, k, v, scale: scale) { abs($1 - centres[$0]) <= 1 }
        #expect(GraphRunner.close(outputs["predicted_weights"]!, predicted.weights.values, relative: 1e-12, absolute: 1e-12))
    }

    @Test func nonLocalBlockSumsOverEveryPosition() throws {
        let (channels, inner) = (3, 2)
        var values = ["x": randomTensor([2, channels, 2, 2], seed: 21)]
        for (index, name) in ["theta", "phi", "g"].enumerated() {
            values[name] = randomTensor([inner, channels], seed: 30 + UInt64(index))
            values[name + "_bias"] = randomTensor([inner], seed: 40 + UInt64(index))
        }
        values["out"] = randomTensor([channels, inner], seed: 50)
        values["out_bias"] = randomTensor([channels], seed: 51)
        let outputs = try CompositeRunner.run(values) { builder, x in
            let projection = { (name: String) in ChannelProjection(weight: x[name]!, bias: x[name + "_bias"]!) }
            let weights = NonLocalWeights(theta: projection("theta"), phi: projection("phi"), g: projection("g"), output: projection("out"))
            return ["z": try builder.nonLocalBlock(x["x"]!, weights)]
        }
        let matrix = { (name: String) in ReferenceMatrix(values[name]!) }
        let column = { (name: String) in ReferenceMatrix(rows: values[name]!.values.count, columns: 1, values: values[name]!.values) }
        let ones = ReferenceMatrix(rows: 1, columns: 4, values: [1, 1, 1, 1])
        for sample in 0..<2 {
            let x = ReferenceMatrix(
                rows: channels, columns: 4, values: Array(values["x"]!.values[sample * 12..<(sample + 1) * 12]))
            let project = { (name: String) in matrix(name) * x + column(name + "_bias") * ones }
            let affinity = (project("theta").transposed * project("phi")).softmaxRows()
            let y = project("g") * affinity.transposed
            let z = matrix("out") * y + column("out_bias") * ones + x
            #expect(GraphRunner.close(Array(outputs["z"]![sample * 12..<(sample + 1) * 12]), z.values, relative: 1e-12, absolute: 1e-12))
        }
    }

    @Test func sinusoidalPositionsFollowTheFormula() throws {
        let outputs = try CompositeRunner.run([:]) { builder, _ in ["pe": try builder.sinusoidalPositions(length: 4, dimension: 6)] }
        let expected = (0..<4).flatMap { p in
            (0..<6).map { i in
                let angle = Double(p) / Foundation.pow(10000, Double(2 * (i / 2)) / 6)
                return i % 2 == 0 ? Foundation.sin(angle) : Foundation.cos(angle)
            }
        }
        #expect(GraphRunner.close(outputs["pe"]!, expected, relative: 1e-12, absolute: 1e-12))
    }

    @Test func learnedPositionsAddTheTableRows() throws {
        let values = ["x": randomTensor([2, 3, 2], seed: 22), "table": randomTensor([5, 2], seed: 23)]
        let outputs = try CompositeRunner.run(values) { builder, x in ["y": try builder.addLearnedPositions(x["x"]!, table: x["table"]!)] }
        let expected = values["x"]!.values.enumerated().map { $1 + values["table"]!.values[$0 % 6] }
        #expect(outputs["y"] == expected)
    }

    @Test func embeddingPicksTableRows() throws {
        let values = [
            "ids": ReferenceTensor(TensorType(.int64, [2, 2]), [3, 0, 3, 1]),
            "table": GraphRunner.tensor([0, 1, 10, 11, 20, 21, 30, 31], [4, 2]),
        ]
        let outputs = try CompositeRunner.run(values) { builder, x in ["y": try builder.embedding(x["ids"]!, table: x["table"]!)] }
        #expect(outputs["y"] == [30, 31, 0, 1, 30, 31, 10, 11])
    }

    @Test func oneHotMarksEachIndex() throws {
        let (interpreted, compiled) = try GraphRunner.apply(
            "one_hot", [ReferenceTensor(TensorType(.int64, [4]), [2, 0, -1, 7])], attributes: ["depth": .int(3)])
        #expect(interpreted == [0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0])
        #expect(compiled == interpreted)
    }
}
