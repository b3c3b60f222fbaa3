import Foundation
import KilnIR
import KilnRuntime

/// Mini-batch training and evaluation of a sequence model on a `SequenceDataset`.
///
/// The model follows a naming convention: input `x` (i64 tokens `[B, L]`), input `labels`
/// (float32 target tokens `[B, L]`, used by the loss), output `y` with the logits `[B, L, V]`.
/// Batches are shuffled by seed and epoch number like `ClassifierTraining`'s; a last partial
/// batch is dropped in training and padded in evaluation.
public struct SequenceTraining {
    /// How well a model does on a data set.
    public struct Accuracy: Sendable {
        /// The fraction of sequences with every position right.
        public var sequences: Double
        /// The fraction of positions right.
        public var tokens: Double
    }

    /// The trainer whose step runs each batch.
    public let trainer: Trainer
    /// Sequences per batch (the model's batch size).
    public let batchSize: Int
    /// The shuffling seed.
    public let seed: UInt64

    /// Prepares training of `trainer.model`, checking that the data fits its `x` input.
    public init(trainer: Trainer, data: SequenceDataset, seed: UInt64) throws(KilnError) {
        let model = trainer.model
        guard let x = model.graph.node(named: "x"), x.op == Node.inputOp, x.type.dtype.isInteger, x.type.shape.rank == 2 else {
            throw .invalidArgument("model '\(model.name)' has no input 'x' of token ids [batch, length] to feed the sequences to")
        }
        let length = x.type.shape[1]
        guard data.length <= length else {
            throw .invalidArgument(
                "the sequences have \(data.length) tokens, longer than the compiled length \(length) of model '\(model.name)' (x is \(x.type))")
        }
        guard data.length == length else {
            throw .invalidArgument(
                "the sequences have \(data.length) tokens, but model '\(model.name)' was compiled for \(length) (x is \(x.type))")
        }
        self.trainer = trainer
        self.batchSize = x.type.shape[0]
        self.seed = seed
    }

    /// Trains epochs `epochs` (0-based) and returns the mean loss of each.
    public func fit(
        _ data: SequenceDataset, epochs: Range<Int>, totalEpochs: Int, progress: (ClassifierTraining.Progress) -> Void
    ) throws(KilnError) -> [Double] {
        // Distributed: rank r trains on its r-th share of each global batch (as ClassifierTraining).
        let global = batchSize * (trainer.distributed?.size ?? 1)
        let first = (trainer.distributed?.rank ?? 0) * batchSize
        let stepsPerEpoch = data.count / global
        guard stepsPerEpoch > 0 else {
            throw .invalidArgument("the training data has \(data.count) sequences, fewer than one batch of \(global)")
        }
        var losses: [Double] = []
        for epoch in epochs {
            let order = data.shuffledOrder(seed: seed, epoch: epoch)
            let start = DispatchTime.now().uptimeNanoseconds
            var total = 0.0
            for step in 0..<stepsPerEpoch {
                let batch = data.batch(order[step * global + first..<step * global + first + batchSize])
                let outputs = try trainer.train(["x": batch.tokens, "labels": batch.targets], epoch: epoch + 1)
                let loss = Double(outputs["loss"]?.floats.first ?? .nan)
                total += loss
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                progress(ClassifierTraining.Progress(
                    epoch: epoch + 1, epochs: totalEpochs, step: step + 1, stepsPerEpoch: stepsPerEpoch,
                    loss: total / Double(step + 1), stepLoss: loss, examplesPerSecond: Double((step + 1) * global) / max(seconds, 1e-9)))
            }
            losses.append(total / Double(stepsPerEpoch))
        }
        return losses
    }

    /// The sequence and token accuracy of the trained parameters on `data`, predicting each
    /// position's token as the argmax of its logits.
    public func accuracy(on data: SequenceDataset, executable: Executable) throws(KilnError) -> Accuracy {
        try trainer.copyTrainedParameters(into: executable)
        var correctSequences = 0, correctTokens = 0
        var start = 0
        while start < data.count {
            let end = min(start + batchSize, data.count)
            let batch = data.batch(Array(start..<end)[...], paddedTo: batchSize)
            var inputs: [String: TensorValue] = ["x": batch.tokens]
            if executable.graph.node(named: "labels")?.op == Node.inputOp { inputs["labels"] = batch.targets }
            guard let logits = try executable.run(inputs)["y"] else {
                throw .invalidArgument("model '\(trainer.model.name)' has no output named 'y' (the logits)")
            }
            let classes = logits.shape.dimensions.last ?? 1
            for row in 0..<(end - start) {
                var allRight = true
                for position in 0..<data.length {
                    let offset = (row * data.length + position) * classes
                    let scores = logits.floats[offset..<offset + classes]
                    let predicted = (scores.indices.max { scores[$0] < scores[$1] } ?? offset) - offset
                    if predicted == data.targets[(start + row) * data.length + position] {
                        correctTokens += 1
                    } else {
                        allRight = false
                    }
                }
                if allRight { correctSequences += 1 }
            }
            start = end
        }
        let sequences = Double(max(data.count, 1))
        return Accuracy(sequences: Double(correctSequences) / sequences, tokens: Double(correctTokens) / (sequences * Double(data.length)))
    }
}
