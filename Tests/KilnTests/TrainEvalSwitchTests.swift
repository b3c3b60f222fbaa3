import Kiln
import KilnIR
import KilnModels
import Testing

/// `Trainer.evaluate` switches a training run to evaluation (dropout off, batch norm on running
/// statistics) and back without rebuilding the model.
@Suite struct TrainEvalSwitchTests {
    @Test func evaluationUsesTheTrainedValuesAndTrainingGoesOn() throws {
        let model = DigitsModels.cnn(batch: 8)
        let trainer = try Trainer(model: model, optimizer: Adam(), learningRate: 1e-2)
        let inputs = GraphFileTrainingTests.batch(model, seed: 3)
        let x = ["x": inputs["x"]!]
        try trainer.train(inputs)
        let first = try trainer.evaluate(x)
        #expect(try trainer.evaluate(x) == first, "evaluation is deterministic: no dropout")
        let rebuilt = try model.loading(trainer.trainedParameters()).compile().run(x)
        #expect(first == rebuilt)
        try trainer.train(inputs)
        let second = try trainer.evaluate(x)
        #expect(second != first, "evaluation follows the parameters trained since")
        #expect(second == (try model.loading(trainer.trainedParameters()).compile().run(x)))
    }
}
