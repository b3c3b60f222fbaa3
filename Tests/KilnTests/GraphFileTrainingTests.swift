import Kiln
import KilnIR
import KilnModels
import Testing

/// A `.kiln` file keeps the training semantics of the model it was written from: dropout sites,
/// batch statistics with their running-statistic updates, and the loss.
@Suite struct GraphFileTrainingTests {
    static func batch(_ model: Model, seed: UInt64) -> [String: TensorValue] {
        let x = model.graph.inputs.first { $0.name == "x" }!.type
        let labels = (0..<x.shape[0]).map { Float(($0 * 7 + Int(seed)) % 10) }
        return ["x": TensorValue.random(x, seed: seed), "labels": TensorValue(shape: [x.shape[0]], floats: labels)]
    }

    @Test func theFileOfTheDigitsCNNTrainsExactlyLikeTheModel() throws {
        let zoo = DigitsModels.cnn(batch: 8)
        let text = zoo.graphFileText
        #expect(text.contains("\ntraining graph \"cnn-digits\" {") || text.contains("\ntraining graph cnn-digits {"))
        let fromFile = try Model(graphFile: text)
        #expect(fromFile.graphFileText == text)
        let (a, b) = (try Trainer(model: zoo, optimizer: Adam(), learningRate: 1e-2),
                      try Trainer(model: fromFile, optimizer: Adam(), learningRate: 1e-2))
        #expect(a.graph.nodes.count == b.graph.nodes.count)
        #expect(a.graph.nodes.contains { $0.op == "random_uniform" })
        for step in 0..<3 {
            let inputs = Self.batch(zoo, seed: UInt64(step) + 1)
            #expect(try a.train(inputs)["loss"] == b.train(inputs)["loss"], "step \(step)")
        }
        #expect(a.checkpoint() == b.checkpoint())
        #expect(a.checkpoint()["bn1.running_mean"] != (try zoo.initialParameters())["bn1.running_mean"])
    }

    @Test func aFileWithoutATrainingBlockStillTrainsWithAClassificationLoss() throws {
        let zoo = DigitsModels.cnn(batch: 8)
        let inferenceOnly = try Model(graphFile: GraphText.print(zoo.graph))
        #expect(inferenceOnly.trainingForwardGraph == nil)
        let trainer = try Trainer(model: inferenceOnly, optimizer: SGD(), learningRate: 1e-2)
        let loss = try #require(try trainer.train(Self.batch(zoo, seed: 1))["loss"]?.floats.first)
        #expect(loss.isFinite && loss > 0)
    }

    @Test func aTrainingBlockThatIsNotAGraphIsAnError() {
        let text = GraphText.print(DigitsModels.cnn(batch: 8).graph) + "\ntraining { }\n"
        #expect(throws: KilnError.self) { try Model(graphFile: text) }
    }
}
