import KilnIR
import KilnOps

/// What `GraphOptimizer.optimize` does to a graph before code generation.
public struct OptimizationOptions: Sendable {
    /// The graph passes, run in order.
    public var pipeline: PassPipeline
    /// Whether nodes are fused into kernels (otherwise every computed node is its own kernel).
    public var fuse: Bool
    /// Whether buffers share the arena by liveness (otherwise every tensor has its own buffer).
    public var planMemory: Bool
    /// Whether the graph is verified after every pass (tests turn it on).
    public var verifyAfterEachPass: Bool
    /// Passes after which the graph is printed to `log` (`all` for every pass): `--dump-after`.
    public var dumpAfter: Set<String> = []
    /// Whether the passes run and what each did are printed to `log`: `--print-passes`.
    public var printPasses = false
    /// Whether the compilation first times the candidate algorithms of each distinct convolution
    /// shape on this machine and follows the fastest (`--tune`; `Model.compile` and `Trainer` do
    /// the timing and fill `tuned`, with results cached beside the native-code cache).
    public var tune = false
    /// Algorithms already timed, followed by the Winograd selection and the kernel plan.
    public var tuned = TunedKernels()
    /// Where dumps and pass lists go.
    public var log: @Sendable (String) -> Void = { print($0, terminator: "") }

    /// Creates options.
    public init(pipeline: PassPipeline, fuse: Bool, planMemory: Bool, verifyAfterEachPass: Bool = false) {
        self.pipeline = pipeline
        self.fuse = fuse
        self.planMemory = planMemory
        self.verifyAfterEachPass = verifyAfterEachPass
    }

    /// Throws when `dumpAfter` names a pass the pipeline does not run.
    public func validate() throws(KilnError) {
        let known = pipeline.passes.map(\.id)
        for id in dumpAfter.sorted() where id != "all" && !known.contains(id) {
            let list = known.isEmpty ? "none" : known.joined(separator: ", ")
            throw .invalidArgument("--dump-after: no pass '\(id)' in the pipeline (its passes: \(list))")
        }
    }

    /// The standard pipeline, fusion and memory planning: what `Model.compile()` and `Trainer` use.
    public static let standard = OptimizationOptions(pipeline: .standard, fuse: true, planMemory: true)
    /// Nothing: the graph compiles as written, one kernel per node, one buffer per tensor.
    public static let none = OptimizationOptions(pipeline: .none, fuse: false, planMemory: false)
}

/// A graph after the passes, with its fusion and memory plans: everything the code generator needs.
public struct OptimizedGraph: Sendable {
    /// The graph after the passes.
    public var graph: Graph
    /// Its kernels.
    public var fusion: FusionPlan
    /// Where its tensors live.
    public var memory: MemoryPlan
    /// How each GEMM-shaped node is computed (the rules' choices, or the tuned ones).
    public var kernelPlan: KernelPlan
    /// What each pass did.
    public var passes: [PassPipeline.Record]
}

/// Runs the passes, fusion planning and memory planning: a graph in, an `OptimizedGraph` out.
public enum GraphOptimizer {
    /// Optimizes `graph` (a training step when `isTraining`). `observe` sees the graph after each pass.
    public static func optimize(
        _ graph: Graph, isTraining: Bool = false, options: OptimizationOptions = .standard,
        observe: (Pass, Graph) -> Void = { _, _ in }
    ) throws(KilnError) -> OptimizedGraph {
        try options.validate()
        var graph = graph
        let records = try options.pipeline.run(
            &graph, context: PassContext(isTraining: isTraining, tuned: options.tuned), verify: options.verifyAfterEachPass
        ) { pass, result in
            if options.dumpAfter.contains(pass.id) || options.dumpAfter.contains("all") {
                options.log("// after \(pass.id)\n" + GraphText.print(result))
            }
            observe(pass, result)
        }
        if options.printPasses { options.log(PassPipeline.describe(records, pipeline: options.pipeline)) }
        let fusion = options.fuse
            ? FusionPlanner.plan(graph)
            : FusionPlan.unfused(graph) { OperatorRegistry.bytesMoved(by: $0, in: graph) }
        let kernelPlan = KernelPlan.rules(for: graph, tuned: options.tuned)
        let scratch = fusion.kernels.map { kernel in kernel.primary.map { kernelPlan.scratchBytes(of: graph[$0], in: graph) } ?? 0 }
        let memory = options.planMemory
            ? MemoryPlanner.plan(graph, fusion: fusion, kernelScratch: scratch)
            : MemoryPlan.separateBuffers(for: graph, kernelScratch: scratch)
        return OptimizedGraph(graph: graph, fusion: fusion, memory: memory, kernelPlan: kernelPlan, passes: records)
    }
}
