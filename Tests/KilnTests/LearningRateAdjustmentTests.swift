import Kiln
import Testing

/// Custom schedules and reduce-on-plateau, and that the trainer feeds their rate to the step.
@Suite struct LearningRateAdjustmentTests {
    @Test func customSchedulesComputeTheirRateAndCompareByName() {
        let halving = LearningRateSchedule.custom("halving") { step in 0.1 / Double(1 << min(step, 20)) }
        #expect([0, 1, 3].map { halving.rate(base: 7, step: $0) } == [0.1, 0.05, 0.0125])
        let scaled = LearningRateSchedule.custom(name: "scaled") { step, base in base * Double(step + 1) }
        #expect(scaled.rate(base: 0.5, step: 2) == 1.5)
        #expect(halving == .custom("halving") { _ in 0 })
        #expect(halving != scaled)
        #expect(LearningRateSchedule.warmup(steps: 2, then: halving).rate(base: 1, step: 3) == 0.05)
    }

    /// The sequence PyTorch's `ReduceLROnPlateau(mode="min", factor=0.5, patience=1, cooldown=1)`
    /// gives for these losses (threshold 1e-4, relative).
    @Test func reduceOnPlateauFollowsPyTorchsRule() throws {
        var plateau = try ReduceOnPlateau(factor: 0.5, patience: 1, cooldown: 1)
        let losses = [1.0, 0.9, 0.95, 0.96, 0.97, 0.98, 0.99, 0.5, .nan, .nan, .nan]
        let multipliers = losses.map { plateau.observe($0) }
        #expect(multipliers == [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125, 0.125])
        #expect(plateau.best == 0.5)
    }

    @Test func reduceOnPlateauRejectsAFactorOutsideZeroToOne() {
        #expect(throws: KilnError.invalidArgument("ReduceOnPlateau: factor must be in (0, 1), got 1.5")) {
            try ReduceOnPlateau(factor: 1.5)
        }
    }

    @Test func theTrainerScalesTheScheduleByTheMultiplier() throws {
        let model = Model("tiny") { g in
            let x = g.input("x", [4, 3])
            let y = Linear(3, 2, name: "fc")(x)
            g.output("y", y)
            g.loss(meanSquaredError(y, g.input("target", [4, 2])))
        }
        let trainer = try Trainer(model: model, optimizer: SGD(), learningRate: 0.2, schedule: .custom("double") { step in 0.4 * Double(step + 1) })
        #expect(trainer.currentLearningRate == 0.4)
        trainer.learningRateMultiplier = 0
        let before = trainer.trainedParameters()
        let inputs = ["x": TensorValue.random(TensorType(.float32, [4, 3]), seed: 1), "target": TensorValue.random(TensorType(.float32, [4, 2]), seed: 2)]
        try trainer.train(inputs)
        #expect(trainer.trainedParameters() == before)
        trainer.learningRateMultiplier = 0.5
        #expect(trainer.currentLearningRate == 0.4)
        try trainer.train(inputs)
        #expect(trainer.trainedParameters() != before)
    }

    /// `kiln train ... --epochs 9223372036854775807 --schedule cosine` once trapped multiplying the
    /// epochs by the steps per epoch: such a run anneals over `Int.max` steps.
    @Test func aCosineScheduleOverMoreStepsThanIntCountsAnnealsOverIntMax() {
        let schedule = TrainingRecipe.standard.schedule(epochs: .max, stepsPerEpoch: 45)
        guard case .cosine(let totalSteps, _) = schedule else { Issue.record("not a cosine schedule: \(schedule)"); return }
        #expect(totalSteps == .max)
        #expect(schedule.rate(base: 0.003, step: 0) == 0.003)
        #expect(schedule.rate(base: 0.003, step: .max) == 0.003 * 0.01)
    }
}
