import Foundation
import Kiln
import KilnModels
import Testing

@Suite struct TrainingTests {
    static func data() throws -> (train: LabeledDataset, test: LabeledDataset) { try DigitsData.load("digits") }

    static func session(seed: UInt64 = 0) throws -> (ClassifierTraining, Trainer) {
        let train = try data().train
        let trainer = try TrainingRecipe.standard.trainer(model: DigitsModels.mlp(seed: seed), stepsPerEpoch: train.count / 32)
        return (try ClassifierTraining(trainer: trainer, data: train, seed: seed), trainer)
    }

    @Test func digitsSplitIsTheDocumentedOne() throws {
        let (train, test) = try Self.data()
        #expect(train.count == 1437)
        #expect(test.count == 360)
        #expect(train.featureCount == 64)
        #expect(test.labels.prefix(3) == [0, 5, 0])
        #expect(train.features.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    @Test func mlpLearnsTheDigits() throws {
        let (session, _) = try Self.session()
        let (train, test) = try Self.data()
        let losses = try session.fit(train, epochs: 0..<40, totalEpochs: 40) { _ in }
        #expect(losses.last! < losses.first! / 5)
        let accuracy = try session.accuracy(on: test, executable: try DigitsModels.mlp().compile())
        #expect(accuracy >= 0.97, "test accuracy \(accuracy)")
    }

    @Test func resumingAfterAnEpochIsBitIdentical() throws {
        let train = try Self.data().train
        let (uninterrupted, straight) = try Self.session(seed: 4)
        _ = try uninterrupted.fit(train, epochs: 0..<3, totalEpochs: 3) { _ in }

        let (first, firstTrainer) = try Self.session(seed: 4)
        _ = try first.fit(train, epochs: 0..<1, totalEpochs: 3) { _ in }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-resume.safetensors").path
        try SafeTensors.write(firstTrainer.checkpoint(), metadata: ["steps_taken": "\(firstTrainer.stepsTaken)"], to: path)

        let (resumed, resumedTrainer) = try Self.session(seed: 4)
        let checkpoint = try SafeTensors.read(path)
        try resumedTrainer.restore(checkpoint.tensors, stepsTaken: Int(checkpoint.metadata["steps_taken"]!)!)
        _ = try resumed.fit(train, epochs: 1..<3, totalEpochs: 3) { _ in }
        #expect(resumedTrainer.checkpoint() == straight.checkpoint())
        #expect(straight.checkpoint()["optimizer.step"]?.floats == [132])
    }

    @Test func checkpointThatDoesNotMatchIsRejected() throws {
        let (_, trainer) = try Self.session()
        var tensors = trainer.checkpoint()
        tensors["fc1.weight"] = TensorValue(shape: [2, 2], floats: [0, 0, 0, 0])
        tensors.removeValue(forKey: "fc2.bias")
        tensors["extra"] = TensorValue(shape: [1], floats: [0])
        #expect(throws: KilnError.invalidArgument(
            "checkpoint does not match model 'mlp-digits': missing tensor 'fc2.bias'; unexpected tensor 'extra'; 'fc1.weight' is f32[2,2] but the model expects f32[64,128]")) {
            try trainer.restore(tensors, stepsTaken: 0)
        }
    }

    @Test func badDataFilesGiveOneClearError() throws {
        #expect(throws: KilnError.io(path: "d.csv", message: "line 3: label 12 is out of range 0..<10")) {
            try DigitsData.parse("label,p0,p1\n1,0,16\n12,3,4\n", path: "d.csv")
        }
        #expect(throws: KilnError.io(path: "d.csv", message: "line 2: expected 3 fields, found 2")) {
            try DigitsData.parse("label,p0,p1\n1,0\n", path: "d.csv")
        }
        #expect(throws: KilnError.io(path: "d.csv", message: "line 2, column 3: 'x' is not a number")) {
            try DigitsData.parse("label,p0,p1\n1,0,x\n", path: "d.csv")
        }
        #expect(throws: KilnError.io(path: "d.csv", message: "line 1: expected the header 'label,p0,...'")) {
            try DigitsData.parse("1,2,3\n", path: "d.csv")
        }
        #expect(throws: KilnError.self) { try DigitsData.load("/nonexistent/digits.csv") }
    }

    @Test func safeTensorsRoundTripAndRejectCorruption() throws {
        let tensors = ["a": TensorValue(shape: [2, 2], floats: [1, 2, 3, 4]), "b": TensorValue(dtype: .int64, shape: [1], integers: [-5])]
        let data = SafeTensors.encode(tensors, metadata: ["k": "v"])
        let decoded = try SafeTensors.decode(data)
        #expect(decoded.tensors == tensors)
        #expect(decoded.metadata == ["k": "v"])
        #expect(throws: KilnError.self) { try SafeTensors.decode(data.prefix(data.count - 3)) }
        #expect(throws: KilnError.self) { try SafeTensors.decode(Data([1, 2, 3])) }
        #expect(throws: KilnError.self) { try SafeTensors.decode(Data([255, 255, 0, 0, 0, 0, 0, 0, 123])) }
    }
}
