import Kiln
import KilnIR

/// What `kiln train` needs from a data source: a description, the training loop and the final
/// accuracy report. One for labeled rows (digits, CSV), one for generated sequence tasks.
protocol TrainingRun {
    /// `1437 training and 360 test rows`.
    var summary: String { get }
    /// Rows or sequences per batch.
    var batchSize: Int { get }
    /// Trains `epochs` (0-based) of `totalEpochs`.
    func fit(epochs: Range<Int>, totalEpochs: Int, progress: (ClassifierTraining.Progress) -> Void) throws
    /// The accuracy on the training data and the test data, one line each.
    func report(_ inference: Executable) throws -> (train: String, test: String)
}

/// A classifier on labeled rows (`--data digits` or a CSV).
struct ClassifierRun: TrainingRun {
    let session: ClassifierTraining
    let train: LabeledDataset
    let test: LabeledDataset

    var summary: String { "\(train.count) training and \(test.count) test rows" }
    var batchSize: Int { session.batchSize }

    func fit(epochs: Range<Int>, totalEpochs: Int, progress: (ClassifierTraining.Progress) -> Void) throws {
        _ = try session.fit(train, epochs: epochs, totalEpochs: totalEpochs, progress: progress)
    }

    func report(_ inference: Executable) throws -> (train: String, test: String) {
        (String(format: "train accuracy: %.4f", try session.accuracy(on: train, executable: inference)),
         String(format: "test accuracy: %.4f", try session.accuracy(on: test, executable: inference)))
    }
}

/// A sequence model on a generated task (`--data reverse`).
struct SequenceRun: TrainingRun {
    let session: SequenceTraining
    let train: SequenceDataset
    let test: SequenceDataset

    var summary: String { "\(train.count) training and \(test.count) test sequences of \(train.length) tokens" }
    var batchSize: Int { session.batchSize }

    func fit(epochs: Range<Int>, totalEpochs: Int, progress: (ClassifierTraining.Progress) -> Void) throws {
        _ = try session.fit(train, epochs: epochs, totalEpochs: totalEpochs, progress: progress)
    }

    func report(_ inference: Executable) throws -> (train: String, test: String) {
        let trainAccuracy = try session.accuracy(on: train, executable: inference)
        let testAccuracy = try session.accuracy(on: test, executable: inference)
        return (String(format: "train sequence accuracy: %.4f (tokens %.4f)", trainAccuracy.sequences, trainAccuracy.tokens),
                String(format: "test sequence accuracy: %.4f (tokens %.4f)", testAccuracy.sequences, testAccuracy.tokens))
    }
}
