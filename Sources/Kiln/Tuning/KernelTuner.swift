import KilnCodegen
import KilnIR
import KilnOps
import KilnPasses
import KilnRuntime

/// `--tune`, like cuDNN's benchmark mode: times the candidate algorithms of each distinct
/// convolution shape of a graph once on this machine and returns the fastest of each.
///
/// The shapes are those of the `conv2d` nodes after the graph's passes (batch norms folded), before
/// the Winograd selection; the candidates are the algorithms the convolution's C can use for the
/// shape (`Operator.kernelAlgorithms`) and, for a 3×3 stride-1 ungrouped shape, both Winograd
/// variants. Each candidate is a one-node program compiled with the backend that will run the
/// model (the native compiler's code for the tiered backend), run once to warm up, then timed
/// over `runs` calls; its median counts. Results go to the `KernelTuningCache`, keyed by shape, tier,
/// thread count and OpenBLAS core type, so a shape is measured once per setting. Matmuls have one
/// algorithm (`cblas_sgemm`) and are not timed.
public enum KernelTuner {
    /// The timed calls per candidate after the warm-up.
    public static let runs = 5

    /// The tuned choices for `graph`'s convolutions (a training step when `isTraining`, optimized
    /// with `optimization`'s passes): from `cache` where stored, measured otherwise and then stored.
    /// `Compilation` calls it when `OptimizationOptions.tune` is set, with the standard cache.
    public static func tune(
        _ graph: Graph, isTraining: Bool, optimization: OptimizationOptions, backend: ExecutionBackend,
        cache: KernelTuningCache?
    ) throws(KilnError) -> TunedKernels {
        let shapes = try convolutionShapes(graph, isTraining: isTraining, optimization: optimization)
        guard !shapes.isEmpty else { return TunedKernels() }
        let timing = timingBackend(backend)
        let setting = KernelTuningCache.Setting(tier: timing.kind == .tcc ? .tcc : .native, threads: BLASThreads.defaultCount)
        let stored = cache?.choices(for: setting) ?? [:]
        var choices: [String: TunedKernels.Choice] = [:], measured: [String: TunedKernels.Choice] = [:]
        for (key, signature) in shapes {
            if let choice = stored[key] {
                choices[key] = choice
                if let winograd = winogradKey(signature, choice.algorithm) { choices[winograd] = choice }
                continue
            }
            var times: [(KernelAlgorithm, Double)] = []
            for algorithm in candidates(signature) {
                times.append((algorithm, try medianMicroseconds(signature, algorithm, backend: timing)))
            }
            guard let choice = TunedKernels.Choice(microseconds: times) else { continue }
            choices[key] = choice
            measured[key] = choice
            if let winograd = winogradKey(signature, choice.algorithm) { choices[winograd] = choice }
        }
        try cache?.store(measured, for: setting)
        return TunedKernels(choices: choices)
    }

    /// The backend candidates are timed with: the one the model's fast code comes from.
    static func timingBackend(_ backend: ExecutionBackend) -> ExecutionBackend {
        var timing = backend
        timing.kind = backend.kind == .tcc || backend.native.compiler == nil ? .tcc : .native
        return timing
    }

    /// The distinct `conv2d` shapes with more than one candidate, by key.
    static func convolutionShapes(
        _ graph: Graph, isTraining: Bool, optimization: OptimizationOptions
    ) throws(KilnError) -> [(String, OperatorSignature)] {
        var options = OptimizationOptions(
            pipeline: PassPipeline(optimization.pipeline.passes.filter { $0.id != Pass.winogradSelection.id }),
            fuse: false, planMemory: false)
        options.tuned = TunedKernels()
        let optimized = try GraphOptimizer.optimize(graph, isTraining: isTraining, options: options).graph
        var seen = Set<String>(), shapes: [(String, OperatorSignature)] = []
        for node in optimized.nodes where node.op == "conv2d" {
            let signature = OperatorRegistry.signature(of: node, in: optimized)
            let key = TunedKernels.key(op: node.op, signature)
            if candidates(signature).count > 1, seen.insert(key).inserted { shapes.append((key, signature)) }
        }
        return shapes
    }

    /// The algorithms a `conv2d` of `signature` can be computed with: the ones `--tune` times.
    public static func candidates(_ signature: OperatorSignature) -> [KernelAlgorithm] {
        Conv2D().kernelAlgorithms(signature) + (WinogradRule.isComputable(signature) ? [.winogradF2x2, .winogradF4x4] : [])
    }

    /// The key of the `conv2d_winograd` node that replaces a convolution of `signature` when
    /// `algorithm` is a Winograd variant, so the plan shows the tuned reason on it too.
    static func winogradKey(_ signature: OperatorSignature, _ algorithm: KernelAlgorithm) -> String? {
        guard let graph = try? candidateGraph(signature, algorithm), let node = graph.node(named: "y"),
              node.op == "conv2d_winograd" else { return nil }
        return TunedKernels.key(op: node.op, OperatorRegistry.signature(of: node, in: graph))
    }

    /// `y = conv2d(x, w[, b])` computed by `algorithm` (a Winograd variant as
    /// `conv2d_winograd(x, winograd_filter(w)[, b])`), with its kernel plan.
    static func candidateGraph(
        _ signature: OperatorSignature, _ algorithm: KernelAlgorithm
    ) throws(KilnError) -> Graph {
        var builder = GraphBuilder(name: "tune")
        let x = builder.leaf(Node.inputOp, type: signature.inputs[0], name: "x")
        var operands = [x, builder.leaf(Node.parameterOp, type: signature.inputs[1], name: "w")]
        if signature.inputs.count == 3 { operands.append(builder.leaf(Node.parameterOp, type: signature.inputs[2], name: "b")) }
        let y: NodeID
        switch algorithm {
        case .winogradF2x2, .winogradF4x4:
            let tile = algorithm == .winogradF2x2 ? 2 : 4
            operands[1] = try builder.add("winograd_filter", [operands[1]], attributes: ["tile": .int(tile)], name: "u")
            var attributes: Attributes = ["tile": .int(tile)]
            if let padding = signature.attributes["padding"] { attributes["padding"] = padding }
            y = try builder.add("conv2d_winograd", operands, attributes: attributes, name: "y")
        default:
            y = try builder.add("conv2d", operands, attributes: signature.attributes, name: "y")
        }
        builder.graph.outputs = [GraphOutput(name: "y", node: y)]
        return builder.graph
    }

    /// The median time of one call of `signature`'s convolution by `algorithm`, in microseconds.
    static func medianMicroseconds(
        _ signature: OperatorSignature, _ algorithm: KernelAlgorithm, backend: ExecutionBackend
    ) throws(KilnError) -> Double {
        let graph = try candidateGraph(signature, algorithm)
        var plan = KernelPlan.rules(for: graph)
        if let y = graph.node(named: "y"), y.op == "conv2d" { plan = try plan.choosing(algorithm, for: y.id, in: graph) }
        let fusion = FusionPlanner.plan(graph)
        let memory = MemoryPlanner.plan(graph, fusion: fusion, kernelScratch: CodeGenerator.kernelScratch(graph, fusion, kernelPlan: plan))
        let program = try CodeGenerator.generate(graph, fusion: fusion, memory: memory, kernelPlan: plan)
        var parameters: [String: TensorValue] = [:], inputs: [String: TensorValue] = [:]
        for node in graph.nodes where node.isLeaf {
            let values = TensorValue.random(node.type, seed: UInt64(node.id.index) + 1)
            if node.op == Node.inputOp { inputs[node.name] = values } else { parameters[node.name] = values }
        }
        let executable = try Executable(graph: graph, parameters: parameters, program: program, backend: backend)
        var seconds: [Double] = []
        for run in 0...runs {
            var total = 0.0
            _ = try executable.runKernels(inputs) { _, kernel in
                let start = MonotonicClock.seconds()
                kernel()
                total += MonotonicClock.seconds() - start
            }
            if run > 0 { seconds.append(total) }
        }
        return max(seconds.sorted()[seconds.count / 2] * 1e6, 0.001)
    }
}
