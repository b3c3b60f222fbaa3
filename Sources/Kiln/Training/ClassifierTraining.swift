import Foundation
import KilnIR
import KilnRuntime

/// Mini-batch training and evaluation of a classifier on a `LabeledDataset`.
///
/// The model follows a naming convention: input `x` of shape `[B, features...]`, input `labels`
/// of shape `[B]` (float32 class indices, used by the loss), output `y` with the logits `[B, C]`.
/// Batches are shuffled by seed and epoch number, so stopping after epoch k and resuming gives the
/// same batches as an uninterrupted run; a last partial batch is dropped in training (static
/// shapes) and zero-padded in evaluation. When the trainer is distributed, each global batch is
/// `batchSize` rows times the rank count, and rank r trains on its r-th share of it, so the
/// ranks together see the batches a single process with the global batch would.
public struct ClassifierTraining {
    /// Progress of one training step, for a progress bar.
    public struct Progress: Sendable {
        /// 1-based epoch.
        public var epoch: Int
        /// Total epochs of this run.
        public var epochs: Int
        /// 1-based step within the epoch.
        public var step: Int
        /// Steps per epoch.
        public var stepsPerEpoch: Int
        /// Mean loss of the epoch so far.
        public var loss: Double
        /// The loss of this step (averaged over the ranks when distributed).
        public var stepLoss: Double = .nan
        /// Training examples processed per second in this epoch.
        public var examplesPerSecond: Double
    }

    /// The trainer whose step runs each batch.
    public let trainer: Trainer
    /// Rows per batch (the model's batch size; this rank's share when distributed).
    public let batchSize: Int
    /// Rows per step over all the ranks.
    public var globalBatchSize: Int { batchSize * (trainer.distributed?.size ?? 1) }
    /// The per-example feature shape of input `x`.
    public let featureShape: [Int]
    /// The shuffling seed.
    public let seed: UInt64

    /// Prepares training of `trainer.model`, checking the data fits its `x` input.
    public init(trainer: Trainer, data: LabeledDataset, seed: UInt64) throws(KilnError) {
        guard let x = trainer.model.graph.node(named: "x"), x.op == Node.inputOp, x.type.shape.rank >= 1 else {
            throw .invalidArgument("model '\(trainer.model.name)' has no input named 'x' to feed the data to")
        }
        let featureShape = Array(x.type.shape.dimensions.dropFirst())
        guard featureShape.reduce(1, *) == data.featureCount else {
            throw .invalidArgument(
                "model '\(trainer.model.name)' expects \(featureShape.reduce(1, *)) features per example (x is \(x.type)), the data has \(data.featureCount)")
        }
        self.trainer = trainer
        self.batchSize = x.type.shape[0]
        self.featureShape = featureShape
        self.seed = seed
    }

    /// Trains epochs `epochs` (0-based, so a resumed run continues its numbering) and returns the
    /// mean loss of each.
    public func fit(
        _ data: LabeledDataset, epochs: Range<Int>, totalEpochs: Int, progress: (Progress) -> Void
    ) throws(KilnError) -> [Double] {
        let global = globalBatchSize
        let first = (trainer.distributed?.rank ?? 0) * batchSize
        let stepsPerEpoch = data.count / global
        guard stepsPerEpoch > 0 else {
            throw .invalidArgument("the training data has \(data.count) rows, fewer than one batch of \(global)")
        }
        var losses: [Double] = []
        for epoch in epochs {
            let order = data.shuffledOrder(seed: seed, epoch: epoch)
            let start = DispatchTime.now().uptimeNanoseconds
            var total = 0.0
            for step in 0..<stepsPerEpoch {
                let rows = order[step * global + first..<step * global + first + batchSize]
                let batch = data.batch(rows, featureShape: featureShape)
                let outputs = try trainer.train(["x": batch.features, "labels": batch.labels], epoch: epoch + 1)
                let loss = Double(outputs["loss"]?.floats.first ?? .nan)
                total += loss
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                progress(Progress(
                    epoch: epoch + 1, epochs: totalEpochs, step: step + 1, stepsPerEpoch: stepsPerEpoch,
                    loss: total / Double(step + 1), stepLoss: loss, examplesPerSecond: Double((step + 1) * global) / max(seconds, 1e-9)))
            }
            losses.append(total / Double(stepsPerEpoch))
        }
        return losses
    }

    /// The fraction of `data` the trained parameters classify correctly.
    public func accuracy(on data: LabeledDataset, executable: Executable) throws(KilnError) -> Double {
        try trainer.copyTrainedParameters(into: executable)
        var correct = 0
        var start = 0
        while start < data.count {
            let end = min(start + batchSize, data.count)
            let batch = data.batch(Array(start..<end)[...], featureShape: featureShape, paddedTo: batchSize)
            var inputs: [String: TensorValue] = ["x": batch.features]
            if executable.graph.node(named: "labels")?.op == Node.inputOp { inputs["labels"] = batch.labels }
            guard let logits = try executable.run(inputs)["y"] else {
                throw .invalidArgument("model '\(trainer.model.name)' has no output named 'y' (the logits)")
            }
            let classes = logits.shape.dimensions.last ?? 1
            for row in 0..<(end - start) {
                let scores = logits.floats[row * classes..<(row + 1) * classes]
                let predicted = scores.indices.max { scores[$0] < scores[$1] }! - row * classes
                if predicted == data.labels[start + row] { correct += 1 }
            }
            start = end
        }
        return Double(correct) / Double(data.count)
    }
}
