import ArgumentParser
import Dispatch
import Foundation
import Kiln
import KilnIR

/// `kiln bench MODEL`: the optimized program against the program as written, in one run.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time a model optimized and as written (no passes, no fusion, one buffer per tensor) and print the ratio.",
        discussion: "Both variants run alternately, so machine noise hits both; times are medians of --runs runs after --warmup runs.")

    @OptionGroup var options: ModelOptions

    @Option(help: "Timed runs of each variant.")
    var runs = 20

    @Option(help: "Untimed runs of each variant first.")
    var warmup = 3

    @Flag(help: "Time a training step (the model must declare a loss) instead of inference.")
    var train = false

    @OptionGroup var execution: ExecutionOptions

    func run() throws {
        try reportingErrors {
            guard runs > 0, warmup >= 0 else { throw KilnError.invalidArgument("--runs must be positive and --warmup not negative") }
            let model = try ModelSource.load(options.model, seed: options.seed)
            let variants: [(String, OptimizationOptions)] = [("as written", .none), ("optimized", .standard)]
            var steps: [() throws -> Void] = []
            let backend = try execution.executionBackend()
            for (_, optimization) in variants {
                if train {
                    let trainer = try Trainer(model: model, optimizer: Adam(), learningRate: 1e-3, backend: backend, optimization: optimization)
                    execution.settle(trainer.step)
                    let inputs = randomInputs(trainer.graph, excluding: [Trainer.learningRateInput, GraphContext.randomSeedInput])
                    steps.append { _ = try trainer.train(inputs) }
                } else {
                    let executable = try model.compile(backend: backend, optimization: optimization)
                    execution.settle(executable)
                    let inputs = randomInputs(executable.graph, excluding: [])
                    steps.append { _ = try executable.run(inputs) }
                }
            }
            for _ in 0..<warmup { for step in steps { try step() } }
            var times = [[Double]](repeating: [], count: steps.count)
            for _ in 0..<runs {
                for (index, step) in steps.enumerated() {
                    let start = DispatchTime.now().uptimeNanoseconds
                    try step()
                    times[index].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                }
            }
            let medians = times.map { $0.sorted()[$0.count / 2] }
            print("\(model.name) (\(train ? "training step" : "inference")), median of \(runs) runs:")
            for ((label, _), median) in zip(variants, medians) {
                print(String(format: "  %-11@ %10.3f ms", label as NSString, median))
            }
            print(String(format: "  speed-up of the optimized program: %.2fx", medians[0] / medians[1]))
        }
    }

    private func randomInputs(_ graph: Graph, excluding: Set<String>) -> [String: TensorValue] {
        var inputs: [String: TensorValue] = [:]
        for (index, node) in graph.inputs.enumerated() where !excluding.contains(node.name) {
            inputs[node.name] = TensorValue.random(node.type, seed: options.seed &+ UInt64(index) &+ 1, low: 0, high: node.type.dtype.isInteger ? 2 : 1)
        }
        return inputs
    }
}
