import Foundation
import Kiln
import KilnModels

// `kiln-distributed-example [--distributed] [--no-overlap] LOSSES`: data-parallel training through
// the Swift API (`Trainer(distributed:)`), not the CLI. It trains the zoo's digits CNN for one
// epoch at a global batch of 64 and writes every step's loss, one a line, to LOSSES (rank 0).
// Under `mpirun -np N ... --distributed` each rank trains its share of every global batch; without
// --distributed one process trains the whole batch, the run the distributed one must follow.
let arguments = Array(CommandLine.arguments.dropFirst())
let distributed = arguments.contains("--distributed")
guard let lossPath = arguments.last(where: { !$0.hasPrefix("--") }) else {
    print("usage: kiln-distributed-example [--distributed] [--no-overlap] LOSSES")
    exit(2)
}
do {
    let communicator = distributed ? try Communicator.world() : nil
    let ranks = communicator?.size ?? 1
    let entry = Zoo.entry("cnn-digits")!
    let model = entry.build(64 / ranks, 1)
    try BLASThreads.setDefault(1)
    let trainer = try Trainer(
        model: model, optimizer: entry.recipe.optimizer, learningRate: entry.recipe.learningRate, backend: .tcc,
        distributed: communicator, overlapsExchange: !arguments.contains("--no-overlap"))
    let (train, _) = try DigitsData.load("digits")
    let session = try ClassifierTraining(trainer: trainer, data: train, seed: 1)
    var losses: [String] = []
    _ = try session.fit(train, epochs: 0..<1, totalEpochs: 1) { progress in losses.append(String(format: "%.9g", progress.stepLoss)) }
    if (communicator?.rank ?? 0) == 0 {
        try (losses.joined(separator: "\n") + "\n").write(toFile: lossPath, atomically: true, encoding: .utf8)
        let exchange = StepExchange.medians(trainer.exchangeSteps)
        print("\(losses.count) steps on \(ranks) rank\(ranks == 1 ? "" : "s")"
            + (exchange.map { String(format: ", median exchange %.2f ms, %d bytes per step", $0.exchangeSeconds * 1e3, $0.bytes) } ?? ""))
    }
    try communicator?.barrier()
    communicator?.finalize()
} catch {
    print("error: \(error)")
    exit(1)
}
