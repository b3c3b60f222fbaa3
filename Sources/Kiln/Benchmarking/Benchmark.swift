import KilnAnalysis
import KilnIR
import KilnRuntime

/// What a benchmark times on a model: inference, or one training step with an optimizer.
public enum BenchmarkMode: Sendable {
    /// One call of the inference graph.
    case inference
    /// One training step (forward, loss, backward, update) with `optimizer` at `learningRate`.
    case training(any Optimizer, learningRate: Double)

    /// `inference`, or `SGD step` and the like.
    public var label: String {
        switch self {
        case .inference: "inference"
        case .training(let optimizer, _): "\(optimizer.name) step"
        }
    }
}

/// A model compiled for timing: the step to call, what it costs by Kiln's cost model, and where
/// its compile time went.
public struct PreparedBenchmark {
    /// The model's name.
    public let model: String
    /// What is timed.
    public let mode: BenchmarkMode
    /// The compiled code (the training step's, for training).
    public let executable: Executable
    /// Compile time by phase: `import`, `setup` (building the graph, autodiff for training, drawing
    /// and storing the parameters), `passes`, `code generation`, and the compilers': `tcc`,
    /// `native`, or `native cache hit` when the native object came from the cache (a tiered
    /// executable has both `tcc` and the native phase, which ran in the background).
    public let compilePhases: [CompilePhase]
    /// The cost of one step: its per-run kernels as the cost model counts them.
    public let costs: CostReport
    /// Runs one step on fixed random inputs.
    public let step: () throws(KilnError) -> Void

    /// Compiles the model `load` returns (timed as `import`) for `mode`, with `optimization`
    /// through `backend` (a tiered one waits for its native code, so the native tier is timed),
    /// and draws its inputs from `seed`.
    public init(
        mode: BenchmarkMode, optimization: OptimizationOptions = .standard, backend: ExecutionBackend = .tcc,
        seed: UInt64 = 0, load: () throws -> Model
    ) throws {
        let recorder = CompilePhaseRecorder()
        let start = MonotonicClock.seconds()
        let model = try load()
        let imported = MonotonicClock.seconds()
        let phases: GraphPhases
        var compiled = 0.0
        switch mode {
        case .inference:
            executable = try recorder.recording { try model.compile(backend: backend, optimization: optimization) }
            compiled = MonotonicClock.seconds()
            phases = .inference
            let inputs = Benchmark.randomInputs(executable.graph, seed: seed)
            // Outputs are written into the same buffers on every call, as a serving loop would.
            var outputs: [String: TensorValue] = [:]
            step = { [executable] () throws(KilnError) in try executable.run(inputs, into: &outputs) }
        case .training(let optimizer, let learningRate):
            let trainer = try recorder.recording {
                try Trainer(model: model, optimizer: optimizer, learningRate: learningRate, backend: backend, optimization: optimization)
            }
            compiled = MonotonicClock.seconds()
            trainer.allowsNonfiniteLoss = true  // a benchmark times steps; what they learn is not its concern
            executable = trainer.step
            phases = trainer.phases
            let supplied: Set = [Trainer.learningRateInput, GraphContext.randomSeedInput]
            let inputs = Benchmark.randomInputs(trainer.graph, seed: seed).filter { !supplied.contains($0.key) }
            step = { () throws(KilnError) in _ = try trainer.train(inputs) }
        }
        if backend.kind == .tiered {
            executable.waitForNativeTier()
            if let seconds = executable.nativeCompileSeconds {
                recorder.record(Compilation.phaseName(executable), seconds: seconds)
            }
        }
        let recorded = recorder.phases
        let building = compiled - imported - recorded.reduce(0) { $0 + $1.seconds }
        compilePhases = [CompilePhase(name: "import", seconds: imported - start), CompilePhase(name: "setup", seconds: max(building, 0))]
            + recorded
        self.model = model.name
        self.mode = mode
        let kernels = executable.program.kernels.dropFirst(executable.preparationKernelCount)
            .map { KernelGroup(name: $0.function, nodes: $0.nodes) }
        costs = try CostReport(graph: executable.graph, kernels: kernels, phases: phases)
    }

    /// Seconds from the start of the import to code ready to run.
    public var compileSeconds: Double { compilePhases.reduce(0) { $0 + $1.seconds } }
}

/// Times prepared benchmarks: untimed warm-up calls, then timed calls of every benchmark in turn,
/// so that machine noise hits all of them alike.
public enum Benchmark {
    /// Seconds of each of `runs` timed calls of every benchmark (one array per benchmark), after
    /// `warmup` untimed calls of each.
    public static func time(_ benchmarks: [PreparedBenchmark], runs: Int, warmup: Int) throws(KilnError) -> [[Double]] {
        for _ in 0..<warmup { for benchmark in benchmarks { try benchmark.step() } }
        var times = [[Double]](repeating: [], count: benchmarks.count)
        for _ in 0..<runs {
            for (index, benchmark) in benchmarks.enumerated() {
                let start = MonotonicClock.seconds()
                try benchmark.step()
                times[index].append(MonotonicClock.seconds() - start)
            }
        }
        return times
    }

    /// Seeded random values for every input of `graph`: in [0, 1) for floats, 0 or 1 for integers
    /// (labels too: the time of a step does not depend on their values).
    static func randomInputs(_ graph: Graph, seed: UInt64) -> [String: TensorValue] {
        var inputs: [String: TensorValue] = [:]
        for (index, node) in graph.inputs.enumerated() {
            inputs[node.name] = TensorValue.random(
                node.type, seed: seed &+ UInt64(index) &+ 1, low: 0, high: node.type.dtype.isInteger ? 2 : 1)
        }
        return inputs
    }
}
