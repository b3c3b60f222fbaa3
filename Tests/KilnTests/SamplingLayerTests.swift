import Foundation
import Kiln
import KilnIR
import KilnInterpreter
import KilnOps
import Testing

/// Gumbel-softmax, dropout on attention weights and switchable normalization's two forms, as a
/// model uses them: what a training step draws, what inference computes, and what trains.
@Suite struct SamplingLayerTests {
    static let logits: [Float] = [1.5, 0.2, -0.7, 0.9]

    /// Row-wise `softmax(logits/τ)`.
    static func softmax(_ logits: [Float], temperature: Double = 1) -> [Double] {
        let exponentials = logits.map { Foundation.exp(Double($0) / temperature) }
        let total = exponentials.reduce(0, +)
        return exponentials.map { $0 / total }
    }

    static func gumbelModel(rows: Int, hard: Bool, temperature: Double = 1) -> Model {
        Model("gumbel") { g in
            let logits = g.input("logits", [rows, 4])
            let sample = gumbelSoftmax(logits, temperature: temperature, hard: hard)
            g.output("sample", sample)
            g.loss(sample.sum())
        }
    }

    @Test func hardSamplesFollowTheCategoricalDistribution() throws {
        let rows = 4000
        let graph = try Self.gumbelModel(rows: rows, hard: true).trainingModeGraph()
        let logits = TensorValue(shape: [rows, 4], floats: (0..<rows).flatMap { _ in Self.logits })
        let seed = TensorValue(dtype: .int64, shape: [], integers: [21])
        let compiled = try Executable(graph: graph, parameters: [:]).run(["logits": logits, GraphContext.randomSeedInput: seed])
        let reference = try Interpreter.run(
            graph, inputs: ["logits": ReferenceTensor(logits), GraphContext.randomSeedInput: ReferenceTensor(seed)], parameters: [:])
        let samples = compiled["sample"]!.floats
        #expect(samples == reference["sample"]!.values.map { Float($0) }, "C and interpreter draw the same noise")
        var counts = [0, 0, 0, 0]
        for row in 0..<rows {
            let sample = Array(samples[row * 4..<(row + 1) * 4])
            #expect(sample.sorted() == [0, 0, 0, 1], "row \(row) is one-hot")
            counts[sample.firstIndex(of: 1)!] += 1
        }
        // Gumbel-max: the one-hot's position is distributed as softmax(logits); 4000 draws put each
        // frequency within 0.025 of its probability (over 3 standard deviations).
        for (count, probability) in zip(counts, Self.softmax(Self.logits)) {
            #expect(abs(Double(count) / Double(rows) - probability) < 0.025, "\(counts)")
        }
    }

    @Test func softSamplesAreDistributionsThatVaryWithTheSeed() throws {
        let graph = try Self.gumbelModel(rows: 8, hard: false, temperature: 0.5).trainingModeGraph()
        let logits = TensorValue(shape: [8, 4], floats: (0..<8).flatMap { _ in Self.logits })
        func sample(_ seed: Int64) throws -> [Float] {
            try Executable(graph: graph, parameters: [:]).run([
                "logits": logits, GraphContext.randomSeedInput: TensorValue(dtype: .int64, shape: [], integers: [seed]),
            ])["sample"]!.floats
        }
        let first = try sample(1)
        for row in 0..<8 { #expect(abs(first[row * 4..<(row + 1) * 4].reduce(0, +) - 1) < 1e-5) }
        #expect(try sample(1) == first)
        #expect(try sample(2) != first)
    }

    @Test(arguments: [false, true])
    func inferenceDrawsNoNoise(hard: Bool) throws {
        let model = Self.gumbelModel(rows: 1, hard: hard, temperature: 2)
        #expect(model.graph.node(named: GraphContext.randomSeedInput) == nil)
        let output = try model.compile().run(["logits": TensorValue(shape: [1, 4], floats: Self.logits)])["sample"]!.floats
        if hard {
            #expect(output == [1, 0, 0, 0])
        } else {
            for (value, expected) in zip(output, Self.softmax(Self.logits, temperature: 2)) { #expect(abs(Double(value) - expected) < 1e-6) }
        }
    }

    @Test func attentionDropoutMasksTheWeightsOfEveryHeadInTrainingOnly() throws {
        let model = Model("attention") { g in
            let x = g.input("x", [2, 5, 8])
            let y = TransformerEncoderLayer(dModel: 8, heads: 2, feedForward: 16, dropout: 0.2, name: "layer")(x)
            g.output("y", y)
            g.loss(y.sum())
        }
        let training = try model.trainingModeGraph()
        #expect(training.nodes.contains { $0.op == "random_uniform" && $0.type.shape == [2, 2, 5, 5] })
        #expect(!model.graph.nodes.contains { $0.op == "random_uniform" })
        let attention = Model("sdpa") { g in
            let q = g.input("q", [3, 4])
            let attended = scaledDotProductAttention(query: q, key: q, value: q, dropout: 1)
            g.output("y", attended.output)
            g.loss(attended.output.sum())
        }
        #expect(throws: KilnError.self) { try attention.trainingModeGraph() }
    }

    /// x [4, 2, 3, 3] normalized by a `SwitchableNorm` layer whose logits are `logits` for both
    /// mixtures.
    static func switchable(logits: [Float]) -> (model: Model, parameters: [String: TensorValue]) {
        let model = Model("switchable") { g in
            let x = g.input("x", [4, 2, 3, 3])
            let y = SwitchableNorm(2, momentum: 0.5, name: "sn")(x)
            g.output("y", y)
            g.loss(y.square().sum())
        }
        return (model, ["sn.mean_logits": TensorValue(shape: [3], floats: logits), "sn.variance_logits": TensorValue(shape: [3], floats: logits)])
    }

    @Test func switchableNormAtInferenceUsesTheRunningStatistics() throws {
        // Logits that give the batch term all the weight: the layer is batch norm with its running statistics.
        let (model, logits) = Self.switchable(logits: [-40, -40, 40])
        let running: [String: TensorValue] = [
            "sn.running_mean": TensorValue(shape: [2], floats: [0.5, -1]), "sn.running_var": TensorValue(shape: [2], floats: [4, 0.25]),
        ]
        let executable = try model.compile()
        try executable.load(parameters: logits.merging(running) { $1 }, matching: .partial)
        let x = TensorValue.random(TensorType(.float32, [4, 2, 3, 3]), seed: 3)
        let y = try executable.run(["x": x])["y"]!.floats
        for (index, value) in x.floats.enumerated() {
            let channel = index / 9 % 2
            let expected = (value - [0.5, -1][channel]) / (Float([4, 0.25][channel]) + 1e-5).squareRoot()
            #expect(abs(y[index] - expected) < 1e-4)
        }
    }

    @Test func switchableNormTrainingUpdatesTheRunningStatistics() throws {
        let (model, logits) = Self.switchable(logits: [0, 0, 0])
        let training = try model.trainingModeGraph()
        #expect(Set(training.updates.map { training[$0.target].name }).isSuperset(of: ["sn.running_mean", "sn.running_var"]))
        let trainer = try Trainer(model: model, optimizer: SGD(), learningRate: 0.01)
        try trainer.step.load(parameters: logits, matching: .partial)
        let x = TensorValue.random(TensorType(.float32, [4, 2, 3, 3]), seed: 4, low: 1, high: 3)
        try trainer.train(["x": x])
        let mean = try #require(trainer.trainedParameters()["sn.running_mean"]).floats
        for channel in 0..<2 {
            let values = (0..<4).flatMap { n in (0..<9).map { x.floats[(n * 2 + channel) * 9 + $0] } }
            let batchMean = values.reduce(0, +) / Float(values.count)
            #expect(abs(mean[channel] - 0.5 * batchMean) < 1e-5, "momentum 0.5 from 0")
        }
    }
}
