import ArgumentParser
import Foundation
import Kiln
import KilnIR
import KilnModels

/// `kiln train MODEL --data digits` (or `kiln train reverse`, a generated sequence task): train with
/// a compiled training step, then report test accuracy.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model on a labeled data set and print its test accuracy.",
        discussion: """
            The model needs an input 'x', an input 'labels' (class indices), an output 'y' (logits) \
            and a loss. --data digits uses the shipped digits data; --data PATH takes any CSV of its layout; \
            --data reverse generates digit sequences to reverse from the seed (x: token ids [B, L], \
            labels and y per position). A model named after a task (reverse) trains on it by default.
            """)

    @OptionGroup var options: ModelOptions

    @OptionGroup var execution: ExecutionOptions

    @OptionGroup var distribution: DistributedOptions

    @Option(help: "'digits', a path to a CSV with rows label,p0,...,pN and a header, or a sequence task (reverse).")
    var data: String?

    @Option(parsing: .unconditional, help: "Total number of epochs (a resumed run continues up to this number; default: the model's recipe, 40 for the zoo's classifiers, 3 for a sequence task).")
    var epochs: Int?

    @Option(parsing: .unconditional, help: "Rows per batch (the model is built for this size).")
    var batchSize: Int?

    @Option(help: "sgd, momentum, nesterov, adagrad, rmsprop, adadelta, adam or adamw (default: the model's recipe, adam).")
    var optimizer: String?

    @Option(parsing: .unconditional, help: "Base learning rate (default: 0.003 for adam/adamw, 0.001 for rmsprop, 1 for adadelta, 0.05 otherwise).")
    var lr: Double?

    @Option(help: "cosine (the default: down to 1% of the base rate over the run), constant, step (x0.5 every 10 epochs), exponential or warmup (then constant).")
    var schedule = "cosine"

    @Option(parsing: .unconditional, help: "Clip gradients by their global norm.")
    var clipNorm: Double?

    @Option(parsing: .unconditional, help: "Clip each gradient element to [-v, v].")
    var clipValue: Double?

    @Option(help: "Write parameters and optimizer state to FILE.safetensors when done.")
    var save: String?

    @Flag(help: "With --save: also write the checkpoint after every epoch (atomically, so the last complete one survives a crash).")
    var saveEveryEpoch = false

    @Option(help: "Resume from a checkpoint written by --save.")
    var resume: String?

    @Flag(help: "Go on training when the loss becomes NaN or infinite (by default training stops with an error).")
    var allowNonfiniteLoss = false

    func validate() throws {
        try reportingErrors {
            try NumericOptions.positive("--epochs", epochs)
            try NumericOptions.positive("--batch-size", batchSize)
            try NumericOptions.positiveFinite("--lr", lr)
            try NumericOptions.positiveFinite("--clip-norm", clipNorm)
            try NumericOptions.positiveFinite("--clip-value", clipValue)
        }
    }

    func run() throws {
        try reportingErrors {
            let task = SequenceTask(rawValue: data ?? options.model)
            let recipe = Zoo.entry(options.model)?.recipe ?? .standard
            let epochs = self.epochs ?? (task == nil ? recipe.epochs : 3)
            // The data first: a batch larger than the data is refused before a model of that batch is built.
            let (trainingCount, unit, startSession) = try loadData(task)
            if let batchSize, batchSize > trainingCount {
                throw KilnError.invalidArgument("--batch-size \(batchSize) is larger than the training data (\(trainingCount) \(unit))")
            }
            let communicator = try distribution.communicator()
            let leader = (communicator?.rank ?? 0) == 0
            let ranks = communicator?.size ?? 1
            let model = try options.loadModel(batchSize: try localBatchSize(ranks: ranks))
            let optimizer = try self.optimizer.map(makeOptimizer) ?? recipe.optimizer
            let baseRate = lr ?? (self.optimizer == nil ? recipe.learningRate : defaultRate(optimizer.name))
            let rows = model.graph.node(named: "x")?.type.shape.dimensions.first ?? 1
            let backend = try execution.executionBackend()
            let trainer = try Trainer(
                model: model, optimizer: optimizer, learningRate: baseRate,
                schedule: try makeSchedule(
                    stepsPerEpoch: max(1, trainingCount / max(rows * ranks, 1)), epochs: epochs, baseRate: baseRate, recipe: recipe),
                clipping: try makeClipping(), backend: backend, optimization: execution.tuning(.standard),
                distributed: communicator, bucketBytes: distribution.bucketKib * 1024, overlapsExchange: distribution.overlap)
            trainer.allowsNonfiniteLoss = allowNonfiniteLoss
            let session = try startSession(trainer)
            execution.settle(trainer.step)
            var firstEpoch = 0
            if let resume {
                let checkpoint = try SafeTensors.read(resume)
                let progress = try CheckpointProgress(checkpoint.metadata, path: resume)
                firstEpoch = progress.epochsDone
                try trainer.restore(checkpoint.tensors, stepsTaken: progress.stepsTaken)
                try trainer.synchronize()
                if leader { print("resumed from \(resume) after epoch \(firstEpoch)") }
            }
            let summary = communicator.map { DistributedSummary(communicator: $0, localBatch: rows) }
            if let summary, leader {
                print(summary.split(count: trainingCount, unit: unit))
                print(String(format: "parameters identical on every rank (checksum %013llx)", trainer.parameterChecksum))
            }
            if leader { print("training \(model.name) with \(optimizer.name), \(session.summary), "
                + "batch \(session.batchSize * ranks), \(trainer.graph.nodes.count) nodes in the step graph") }
            // --verbose prints a line per step, which a one-line bar would overwrite.
            let bar = ProgressBar(enabled: leader && isatty(STDOUT_FILENO) != 0 && !distribution.verbose)
            let log = try distribution.lossLog.flatMap { leader ? try LossLog(path: $0) : nil }
            let start = DispatchTime.now().uptimeNanoseconds
            let stepsBefore = trainer.stepsTaken
            var checkpointFailure: (any Error)?
            do {
                try session.fit(epochs: firstEpoch..<max(firstEpoch, epochs), totalEpochs: epochs) { progress in
                    if leader { bar.show(progress) }
                    log?.append(progress.stepLoss)
                    if leader, distribution.verbose, let summary, let last = trainer.exchangeSteps.last {
                        print(summary.stepLine(trainer.exchangeSteps.count, last))
                    }
                    if leader, saveEveryEpoch, let save, progress.step == progress.stepsPerEpoch {
                        do { try writeCheckpoint(trainer, model: model, epochsDone: progress.epoch, to: save) } catch {
                            checkpointFailure = checkpointFailure ?? error
                        }
                    }
                }
            } catch KilnError.nonfiniteLoss(let loss) {
                throw KilnError.invalidArgument("\(loss); lower --lr or pass --allow-nonfinite-loss to go on")
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if let checkpointFailure { throw checkpointFailure }
            guard leader else {
                try communicator?.barrier()
                communicator?.finalize()
                return
            }
            // One evaluation pass: tiering would build native code it never runs.
            let report = try session.report(try model.compile(backend: backend.kind == .tiered ? .tcc : backend))
            print(String(format: "trained in %.2f s; ", seconds) + report.train)
            if let save {
                try writeCheckpoint(trainer, model: model, epochsDone: max(firstEpoch, epochs), to: save)
                print("saved \(save)")
            }
            print(report.test)
            let steps = Array(trainer.exchangeSteps.suffix(trainer.stepsTaken - stepsBefore))
            for line in summary?.report(steps: steps, seconds: seconds, linkGbps: distribution.linkGbps, overlapped: distribution.overlap) ?? [] {
                print(line)
            }
            try communicator?.barrier()
            communicator?.finalize()
        }
    }

    /// Writes the parameters and optimizer state, with what --resume needs, to `path`.
    private func writeCheckpoint(_ trainer: Trainer, model: Model, epochsDone: Int, to path: String) throws {
        try SafeTensors.write(
            trainer.checkpoint(),
            metadata: ["model": model.name, "epochs_done": String(epochsDone), "steps_taken": String(trainer.stepsTaken)],
            to: path)
    }

    /// The model's batch: --batch-size (or the model's default) in one process; distributed, that
    /// global batch divided by the rank count, which must divide it.
    private func localBatchSize(ranks: Int) throws -> Int? {
        guard ranks > 1 else { return batchSize }
        let global = try batchSize ?? options.loadModel(batchSize: nil).graph.node(named: "x")?.type.shape.dimensions.first ?? 1
        guard global % ranks == 0 else {
            throw KilnError.invalidArgument("the batch of \(global) does not divide among \(ranks) ranks; give a --batch-size that is a multiple of \(ranks)")
        }
        return global / ranks
    }

    /// The training data's size, what it counts (rows or sequences), and how to start a run on it.
    private func loadData(_ task: SequenceTask?) throws -> (Int, String, (Trainer) throws -> any TrainingRun) {
        if let task {
            let (train, test) = task.load(seed: options.seed)
            return (train.count, "sequences", { trainer in
                SequenceRun(session: try SequenceTraining(trainer: trainer, data: train, seed: options.seed), train: train, test: test)
            })
        }
        let (train, test) = try DigitsData.load(data ?? "digits")
        return (train.count, "rows", { trainer in
            ClassifierRun(session: try ClassifierTraining(trainer: trainer, data: train, seed: options.seed), train: train, test: test)
        })
    }

    private func defaultRate(_ optimizer: String) -> Double { OptimizerCatalog.defaultLearningRate(named: optimizer) }

    private func makeOptimizer(_ optimizer: String) throws -> any Optimizer { try OptimizerCatalog.optimizer(named: optimizer) }

    private func makeSchedule(stepsPerEpoch: Int, epochs: Int, baseRate: Double, recipe: TrainingRecipe) throws -> LearningRateSchedule {
        switch schedule {
        case "constant": return .constant
        case "step": return .step(stepSize: 10 * stepsPerEpoch, gamma: 0.5)
        case "exponential": return .exponential(gamma: 0.999)
        case "cosine":
            var annealing = recipe
            annealing.learningRate = baseRate
            return annealing.schedule(epochs: epochs, stepsPerEpoch: stepsPerEpoch)
        case "warmup": return .warmup(steps: stepsPerEpoch, then: .constant)
        default:
            throw KilnError.invalidArgument("unknown schedule '\(schedule)' (expected constant, step, exponential, cosine or warmup)")
        }
    }

    private func makeClipping() throws -> GradientClipping {
        switch (clipNorm, clipValue) {
        case (nil, nil): return .none
        case (let norm?, nil): return .globalNorm(norm)
        case (nil, let value?): return .value(value)
        default: throw KilnError.invalidArgument("give --clip-norm or --clip-value, not both")
        }
    }
}

/// `--loss-log FILE`: every step's loss, one a line.
final class LossLog {
    private let handle: FileHandle

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw KilnError.invalidArgument("cannot write the loss log '\(path)'")
        }
        self.handle = handle
    }

    func append(_ loss: Double) { handle.write(Data((String(format: "%.9g", loss) + "\n").utf8)) }
}

/// A one-line progress bar on a terminal; one line per epoch otherwise.
final class ProgressBar {
    private let enabled: Bool

    init(enabled: Bool) { self.enabled = enabled }

    func show(_ progress: ClassifierTraining.Progress) {
        let text = "epoch \(progress.epoch)/\(progress.epochs) step \(progress.step)/\(progress.stepsPerEpoch) "
            + String(format: "loss %.4f %.0f examples/s", progress.loss, progress.examplesPerSecond)
        if enabled {
            let width = 24
            let filled = width * progress.step / max(progress.stepsPerEpoch, 1)
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            print("\r[\(bar)] " + text + "\u{1B}[K", terminator: progress.step == progress.stepsPerEpoch ? "\n" : "")
            fflush(nil)
        } else if progress.step == progress.stepsPerEpoch {
            print(text)
        }
    }
}
