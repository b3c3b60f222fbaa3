import Foundation
import Kiln
import KilnModels
import Testing

/// Every numeric option of the `kiln` tool, given a value it cannot use, gives one `error:` line in
/// the user's terms and exit code 1, before any model is built or trained.
@Suite struct NumericOptionTests {
    /// Each case: the arguments and the whole error line.
    static let rejected: [([String], String)] = [
        (["train", "mlp-digits", "--epochs", "-1"], "error: --epochs must be a positive integer, got -1"),
        (["train", "mlp-digits", "--epochs=-1"], "error: --epochs must be a positive integer, got -1"),
        (["train", "mlp-digits", "--epochs", "0"], "error: --epochs must be a positive integer, got 0"),
        (["train", "mlp-digits", "--lr", "-1"], "error: --lr must be a positive finite number, got -1"),
        (["train", "mlp-digits", "--lr", "nan"], "error: --lr must be a positive finite number, got nan"),
        (["train", "mlp-digits", "--lr", "inf"], "error: --lr must be a positive finite number, got inf"),
        (["train", "mlp-digits", "--seed", "-1"], "error: --seed must be an integer from 0 to 18446744073709551615, got -1"),
        (["train", "mlp-digits", "--batch-size", "-1"], "error: --batch-size must be a positive integer, got -1"),
        (["train", "mlp-digits", "--batch-size", "0"], "error: --batch-size must be a positive integer, got 0"),
        (["train", "mlp-digits", "--batch-size", "2147483648"],
         "error: --batch-size 2147483648 is larger than the training data (1437 rows)"),
        (["train", "mlp-digits", "--clip-norm", "-1"], "error: --clip-norm must be a positive finite number, got -1"),
        (["bench", "mlp", "--runs", "0"], "error: --runs must be a positive integer, got 0"),
        (["bench", "mlp", "--warmup", "-1"], "error: --warmup must be a non-negative integer, got -1"),
        (["run", "mlp", "--threads", "0"], "error: --threads must be between 1 and 1024, got 0"),
        (["run", "mlp", "--seed", "18446744073709551616"],
         "error: --seed must be an integer from 0 to 18446744073709551615, got 18446744073709551616"),
    ]

    @Test(arguments: rejected)
    func aValueOutOfRangeIsOneLine(arguments: [String], line: String) throws {
        let result = try CommandLineTests.kiln(arguments)
        #expect(result.status == 1)
        #expect(result.error == line + "\n")
        #expect(result.output.isEmpty)
    }

    @Test func aDivergingLossStopsTrainingNamingTheStep() throws {
        let result = try CommandLineTests.kiln(["train", "mlp-digits", "--epochs", "1", "--lr", "1e30"])
        #expect(result.status == 1)
        #expect(result.error.hasPrefix("error: training loss became "))
        #expect(result.error.contains(" at step 2 (epoch 1); lower --lr or pass --allow-nonfinite-loss to go on\n"))
        let goingOn = try CommandLineTests.kiln(["train", "mlp-digits", "--epochs", "1", "--lr", "1e30", "--allow-nonfinite-loss"])
        #expect(goingOn.status == 0, "\(goingOn.error)")
        #expect(goingOn.output.contains("epoch 1/1 step"))
    }

    @Test func theTrainerThrowsOnANonfiniteLossUnlessAllowed() throws {
        let model = Model("diverging") { g in
            let x = g.input("x", [4, 3])
            let y = Linear(3, 2, name: "fc")(x)
            g.output("y", y)
            g.loss(meanSquaredError(y, g.input("target", [4, 2])))
        }
        let trainer = try Trainer(model: model, optimizer: SGD(), learningRate: 1e30)
        let inputs = ["x": TensorValue.random(TensorType(.float32, [4, 3]), seed: 1),
                      "target": TensorValue.random(TensorType(.float32, [4, 2]), seed: 2)]
        var failure: KilnError?
        for _ in 0..<8 where failure == nil {
            do { try trainer.train(inputs, epoch: 3) } catch { failure = error }
        }
        guard case .nonfiniteLoss(let report) = failure else {
            Issue.record("expected a non-finite loss, got \(String(describing: failure))")
            return
        }
        #expect(report.epoch == 3)
        #expect(report.step == trainer.stepsTaken)
        #expect(!report.loss.isFinite)
        #expect(report.description.hasSuffix("at step \(report.step) (epoch 3)"))
        trainer.allowsNonfiniteLoss = true
        try trainer.train(inputs)
    }
}
