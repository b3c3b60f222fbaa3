import Foundation
import Kiln
import KilnIR
import KilnModels
import Testing

/// Sequence models through the DSL: causality, stacking and bidirection, parameter counts, the
/// DSL's error messages, the generated task and training on it.
@Suite struct SequenceModelTests {
    /// The compiled outputs of `model` on `inputs`, checked against the interpreter.
    private func run(_ model: Model, _ inputs: [String: TensorValue], tolerance: Double = 1e-4) throws -> [String: [Double]] {
        let compiled = try model.compile().run(inputs)
        let reference = try model.interpret(inputs)
        for (name, value) in reference {
            let actual = try #require(compiled[name])
            #expect(Approximate.normwiseRelativeError(actual.doubles, value.doubles) < tolerance, "output \(name)")
        }
        return compiled.mapValues(\.doubles)
    }

    @Test(arguments: NormPlacement.allCases)
    func decoderNeverLooksAhead(norm: NormPlacement) throws {
        let model = Model("decoder") { g in
            let x = g.input("x", [2, 6, 8])
            let layer = TransformerDecoderLayer(dModel: 8, heads: 2, feedForward: 16, norm: norm, activation: .gelu)
            g.output("y", layer(x))
        }
        var x = TensorValue.random(TensorType(.float32, [2, 6, 8]), seed: 1)
        let before = try run(model, ["x": x])["y"]!
        for sample in 0..<2 { x.floats[sample * 48 + 4 * 8 + 3] += 1 }  // position 4 of each sequence
        let after = try run(model, ["x": x])["y"]!
        for sample in 0..<2 {
            let start = sample * 48
            #expect(before[start..<start + 32] == after[start..<start + 32], "positions 0 to 3 must not see position 4")
            #expect(before[start + 32..<start + 48] != after[start + 32..<start + 48])
        }
    }

    @Test func seq2seqLogitsNeverSeeLaterTargetTokens() throws {
        let model = Seq2Seq.attention(batch: 2, sourceLength: 4, targetLength: 5, vocabulary: 7, embedding: 4, hidden: 3)
        let source = TensorValue(dtype: .int64, shape: [2, 4], integers: [1, 2, 3, 4, 6, 5, 4, 3])
        var target = TensorValue(dtype: .int64, shape: [2, 5], integers: [0, 1, 2, 3, 4, 0, 6, 5, 4, 3])
        let before = try run(model, ["source": source, "target": target])
        target.integers[3] = 6
        target.integers[8] = 1
        let after = try run(model, ["source": source, "target": target])
        for sample in 0..<2 {
            let start = sample * 35
            #expect(before["y"]![start..<start + 21] == after["y"]![start..<start + 21])
            #expect(before["y"]![start + 21..<start + 28] != after["y"]![start + 21..<start + 28])
        }
        let weights = try #require(after["attention"])
        for row in 0..<10 { #expect(abs(weights[row * 4..<(row + 1) * 4].reduce(0, +) - 1) < 1e-5) }
    }

    @Test func bidirectionalLayersReadBothWays() throws {
        let model = Model("birnn") { g in
            let x = g.input("x", [1, 4, 3])
            g.output("y", GRU(inputSize: 3, hiddenSize: 2, layers: 2, bidirectional: true)(x))
        }
        #expect(model.graph.parameters.map(\.name) == [
            "gru.l0.input_weight", "gru.l0.hidden_weight", "gru.l0.bias",
            "gru.l0_reverse.input_weight", "gru.l0_reverse.hidden_weight", "gru.l0_reverse.bias",
            "gru.l1.input_weight", "gru.l1.hidden_weight", "gru.l1.bias",
            "gru.l1_reverse.input_weight", "gru.l1_reverse.hidden_weight", "gru.l1_reverse.bias",
        ])
        let parameterCount = model.graph.parameters.reduce(0) { $0 + $1.type.shape.elementCount }
        #expect(parameterCount == 2 * 3 * 2 * (3 + 2 + 1) + 2 * 3 * 2 * (4 + 2 + 1))
        let single = Model("one-layer") { g in
            g.output("y", GRU(inputSize: 3, hiddenSize: 2, bidirectional: true)(g.input("x", [1, 4, 3])))
        }
        var x = TensorValue.random(TensorType(.float32, [1, 4, 3]), seed: 2)
        let before = try run(single, ["x": x])["y"]!
        x.floats[0] += 1  // the first step
        let after = try run(single, ["x": x])["y"]!
        #expect(before[12..<14] != after[12..<14], "the forward state at the last step has read the first")
        #expect(before[14..<16] == after[14..<16], "the backward state at the last step has read only the last")
    }

    @Test func attentionAndRecurrentLayersCompileAsTheyInterpret() throws {
        let model = Model("layers") { g in
            let x = g.input("x", [2, 5, 6])
            let image = g.input("image", [2, 4, 3, 3])
            let recurrent = LSTM(inputSize: 6, hiddenSize: 4, layers: 2, dropout: 0.5)(RNN(inputSize: 6, hiddenSize: 6)(x))
            let additive = AdditiveAttention(queryFeatures: 4, keyFeatures: 6, width: 5)(query: recurrent, keys: x, values: x)
            let local = localAttention(query: x, key: x, value: x, window: 1, centre: .predicted)
            let hard = scaledDotProductAttention(query: x, key: x, value: x, mask: g.windowMask(queries: 5, keys: 5, window: 2), hardAtInference: true)
            g.output("additive", additive.output)
            g.output("local", local.output)
            g.output("hard", hard.output)
            g.output("non_local", NonLocalBlock(channels: 4)(image))
            g.output("encoded", TransformerEncoderLayer(dModel: 6, heads: 3, feedForward: 8, norm: .pre, packedProjections: false)(x))
            g.loss(additive.output.mean() + hard.output.mean())
        }
        _ = try run(model, [
            "x": TensorValue.random(TensorType(.float32, [2, 5, 6]), seed: 4),
            "image": TensorValue.random(TensorType(.float32, [2, 4, 3, 3]), seed: 5),
        ])
        let training = try model.trainingModeGraph()
        #expect(model.graph.nodes.filter { $0.op == "one_hot" }.count == 2, "local attention's centre and hard selection")
        #expect(training.nodes.filter { $0.op == "one_hot" }.count == 1, "training attends softly")
        #expect(training.nodes.filter { $0.op == "random_uniform" }.count == 1 + 4, "LSTM inter-layer dropout and the encoder's four")
    }

    @Test func transformerLayerParameterCount() throws {
        let (d, f) = (16, 32)
        let model = Model("encoder") { g in
            let y = TransformerEncoderLayer(dModel: d, heads: 4, feedForward: f, name: "enc")(g.input("x", [1, 5, d]))
            g.output("y", y)
            g.loss(y.square().mean())
        }
        let count = model.graph.parameters.reduce(0) { $0 + $1.type.shape.elementCount }
        #expect(count == (4 * d * d + 4 * d) + (2 * d * f + d + f) + 4 * d)
        #expect(model.graph.parameters.first?.name == "enc.self_attention.qkv_weight")
        let step = try model.trainingModeGraph()
        #expect(step.nodes.filter { $0.op == "random_uniform" }.count == 4)  // dropout: attention weights, attention out, feed-forward inner, feed-forward out
        #expect(model.graph.nodes.allSatisfy { $0.op != "random_uniform" })
        _ = try run(model, ["x": TensorValue.random(TensorType(.float32, [1, 5, d]), seed: 3)])
    }

    @Test func headCountThatDoesNotDivideDModel() {
        let line = #line + 3
        let model = Model("bad") { g in
            let x = g.input("x", [2, 5, 10])
            g.output("y", MultiHeadAttention(dModel: 10, heads: 3, name: "attn")(query: x, key: x, value: x))
        }
        #expect(throws: KilnError.self) { try model.compile() }
        #expect(model.buildError?.description
            == "multi_head_attention 'attn' at KilnTests/SequenceModelTests.swift:\(line): d_model 10 is not divisible by the head count 3")
    }

    @Test func maskOfTheWrongShape() {
        let line = #line + 4
        let model = Model("bad") { g in
            let x = g.input("x", [2, 5, 8])
            let layer = TransformerEncoderLayer(dModel: 8, heads: 2, feedForward: 16, name: "enc")
            g.output("y", layer(x, mask: g.causalMask(queries: 4, keys: 4)))
        }
        #expect(model.buildError?.description
            == "multi_head_attention 'enc.self_attention' at KilnTests/SequenceModelTests.swift:\(line): input 3 (mask) has shape [4,4]; "
            + "expected a shape that broadcasts to the scores [2,5,5] ([batch..., queries, keys])")
    }

    @Test func sequenceLongerThanTheCompiledLength() throws {
        let line = #line + 3
        let model = Model("bad") { g in
            let tokens = g.input("x", [2, 9], dtype: .int64)
            let embedded = Embedding(vocabulary: 10, dimension: 4)(tokens)
            g.output("y", LearnedPositionalEncoding(maxLength: 8, dimension: 4, name: "positions")(embedded, line: line))
        }
        #expect(model.buildError?.description
            == "learned_positions 'positions' at KilnTests/SequenceModelTests.swift:\(line): input 0 has 9 positions (shape [2,9,4]), "
            + "more than the compiled length 8 of the position table")

        let trainer = try Trainer(model: SequenceTaskModels.reverser(batch: 4), optimizer: Adam(), learningRate: 0.003)
        let long = SequenceTask.reverse.generate(count: 8, length: 12, seed: 0, split: "train")
        #expect(throws: KilnError.invalidArgument(
            "the sequences have 12 tokens, longer than the compiled length 8 of model 'reverse' (x is i64[4,8])")) {
            _ = try SequenceTraining(trainer: trainer, data: long, seed: 0)
        }
        let lstm = try SequenceModels.lstm(batch: 1).compile()
        #expect(throws: KilnError.invalidArgument("input 'x' expects f32[1,32,128], got f32[1,40,128]")) {
            _ = try lstm.run(["x": TensorValue.random(TensorType(.float32, [1, 40, 128]), seed: 1)])
        }
    }

    @Test func temporaryLayersKeepTheirOwnParameters() {
        let model = Model("temporaries") { g in
            var x = g.input("x", [2, 4])
            for _ in 0..<8 { x = Linear(4, 4)(x) }
            g.output("y", x)
        }
        #expect(Set(model.graph.parameters.map(\.name)).count == 16)
    }

    @Test func reverseTaskIsSeededAndReversed() {
        let data = SequenceTask.reverse.generate(count: 3, length: 5, seed: 7, split: "train")
        #expect(data.count == 3)
        #expect(data.inputs == SequenceTask.reverse.generate(count: 3, length: 5, seed: 7, split: "train").inputs)
        #expect(data.inputs != SequenceTask.reverse.generate(count: 3, length: 5, seed: 7, split: "test").inputs)
        for row in 0..<3 {
            #expect(Array(data.targets[row * 5..<(row + 1) * 5]) == data.inputs[row * 5..<(row + 1) * 5].reversed())
        }
        #expect(data.inputs.allSatisfy { (0..<10).contains($0) })
        let batch = data.batch([2, 0], paddedTo: 3)
        #expect(batch.tokens.type == TensorType(.int64, [3, 5]))
        #expect(batch.tokens.integers[0..<5].map(Int.init) == data.inputs[10..<15].map { $0 })
        #expect(batch.targets.floats[10..<15].allSatisfy { $0 == 0 })
    }

    @Test func transformerLearnsToReverseDigits() throws {
        let model = SequenceTaskModels.reverser(batch: 32)
        let train = SequenceTask.reverse.generate(count: 4096, length: 8, seed: 0, split: "train")
        let trainer = try TrainingRecipe.standard.trainer(model: model, stepsPerEpoch: train.count / 32, epochs: 1)
        let test = SequenceTask.reverse.generate(count: 256, length: 8, seed: 0, split: "test")
        let session = try SequenceTraining(trainer: trainer, data: train, seed: 0)
        let losses = try session.fit(train, epochs: 0..<1, totalEpochs: 1) { _ in }
        #expect(losses[0] < 0.7)
        let accuracy = try session.accuracy(on: test, executable: try SequenceTaskModels.reverser(batch: 32).compile())
        #expect(accuracy.sequences >= 0.95, "sequence accuracy \(accuracy.sequences), tokens \(accuracy.tokens)")
    }
}
