import Kiln

/// `kiln bench --suite`: the standard workloads Kiln's speed is tracked on, each run at 1 and 2
/// threads. Training rows take one SGD step on a softmax cross-entropy loss.
public enum BenchmarkSuite {
    /// One row of the suite: a zoo model at a fixed batch and what is timed on it.
    public struct Workload: Sendable {
        /// The zoo model.
        public let model: String
        /// The batch size it is built with.
        public let batchSize: Int
        /// Inference or a training step.
        public let mode: BenchmarkMode

        /// The row's name: the model and its batch.
        public var name: String { "\(model) (batch \(batchSize))" }

        /// Builds the model.
        public func load() throws -> Model {
            guard let entry = Zoo.entry(model) else { throw KilnError.invalidArgument("the zoo has no model '\(model)'") }
            return entry.build(batchSize, 0)
        }
    }

    /// The thread counts every workload runs at.
    public static let threadCounts = [1, 2]

    /// The learning rate of the training rows.
    static let learningRate = 0.01

    /// The workloads, in the order of the table.
    public static let workloads: [Workload] = {
        let sgd = BenchmarkMode.training(SGD(), learningRate: learningRate)
        return [
            Workload(model: "mlp", batchSize: 64, mode: .inference),
            Workload(model: "mlp", batchSize: 64, mode: sgd),
            Workload(model: "lenet5_mnist", batchSize: 64, mode: .inference),
            Workload(model: "lenet5_mnist", batchSize: 64, mode: sgd),
            Workload(model: "resnet18", batchSize: 1, mode: .inference),
            Workload(model: "mobilenet_v2", batchSize: 1, mode: .inference),
            Workload(model: "transformer_block", batchSize: 1, mode: .inference),
            Workload(model: "lstm", batchSize: 16, mode: .inference),
            Workload(model: "gelu_stream", batchSize: 1, mode: .inference),
        ]
    }()

    /// The workloads whose name contains one of `filters` (all of them when `filters` is empty).
    public static func workloads(matching filters: [String]) -> [Workload] {
        filters.isEmpty ? workloads : workloads.filter { workload in filters.contains { workload.name.contains($0) } }
    }

    /// Runs `workloads` at each of `threadCounts` (set with `setThreads`) through `backend`:
    /// compiles each, times `runs` calls after `warmup`, and puts it on the roofline of
    /// `machine(threads)`. `progress` hears each row as it finishes.
    public static func run(
        _ workloads: [Workload], threadCounts: [Int] = threadCounts, runs: Int, warmup: Int,
        backend: ExecutionBackend = .tcc, setThreads: (Int) throws -> Void,
        machine: (Int) throws -> MachineModel, progress: (BenchmarkResult) -> Void = { _ in }
    ) throws -> [BenchmarkResult] {
        var results: [BenchmarkResult] = []
        for threads in threadCounts {
            try setThreads(threads)
            let roofline = try machine(threads)
            for workload in workloads {
                let benchmark = try PreparedBenchmark(mode: workload.mode, backend: backend, load: workload.load)
                let times = try Benchmark.time([benchmark], runs: runs, warmup: warmup)[0]
                let result = BenchmarkResult(benchmark, workload: workload.name, threads: threads, times: times, machine: roofline)
                progress(result)
                results.append(result)
            }
        }
        return results
    }
}
