import KilnAnalysis
import KilnCodegen
import KilnIR
import KilnPasses
import KilnRuntime

/// Profiles a model: compiles it (or its training step), times every kernel on seeded random
/// inputs, and puts each kernel on the machine's roofline.
///
/// ```swift
/// let machine = try MachineModelStore.resolve(MachineOverrides())
/// let report = try Profiler.profile(model, training: false, machine: machine)
/// print(report.table())
/// ```
public enum Profiler {
    /// Profiles the inference graph of `model`, or with `training` its training step (forward,
    /// loss, backward and an Adam update; the model must declare a loss). Each kernel's time is
    /// the median of `runs` runs after `warmupRuns` untimed ones. `optimization` is how the model
    /// is compiled (the standard optimizations by default); a tiered `backend` profiles the
    /// native code once it is built (tcc's where it cannot be).
    public static func profile(
        _ model: Model, training: Bool, machine: MachineModel, runs: Int = 10, warmupRuns: Int = 2,
        seed: UInt64 = 0, backend: ExecutionBackend = .tcc, optimization: OptimizationOptions = .standard
    ) throws(KilnError) -> ProfileReport {
        let executable: Executable
        let phases: GraphPhases
        if training {
            let trainer = try Trainer(
                model: model, optimizer: Adam(), learningRate: 1e-3, backend: backend, optimization: optimization)
            executable = trainer.step
            phases = trainer.phases
        } else {
            executable = try model.compile(backend: backend, optimization: optimization)
            phases = .inference
        }
        executable.waitForNativeTier()
        return try profile(executable, model: model.name, training: training, phases: phases, machine: machine,
                           runs: runs, warmupRuns: warmupRuns, seed: seed)
    }

    /// Profiles a compiled `executable` whose nodes split into `phases`.
    public static func profile(
        _ executable: Executable, model: String, training: Bool, phases: GraphPhases, machine: MachineModel,
        runs: Int = 10, warmupRuns: Int = 2, seed: UInt64 = 0
    ) throws(KilnError) -> ProfileReport {
        // Preparation kernels run once per change of the parameters, not per run: not profiled.
        let kernels = executable.program.kernels.dropFirst(executable.preparationKernelCount)
            .map { KernelGroup(name: $0.function, nodes: $0.nodes, algorithm: $0.algorithm) }
        let costs = try CostReport(graph: executable.graph, kernels: kernels, phases: phases)
        let measurements = try executable.timeKernels(
            randomInputs(executable.graph, seed: seed), warmupRuns: warmupRuns, runs: runs)
        return try ProfileReport(
            model: model, mode: training ? "training" : "inference", backend: executable.backendName, runs: runs,
            machine: machine, costs: costs, measurements: measurements)
    }

    /// Seeded random values in [-1, 1] for every input of `graph`; a small learning rate for the
    /// training step's.
    static func randomInputs(_ graph: Graph, seed: UInt64) -> [String: TensorValue] {
        var values: [String: TensorValue] = [:]
        for (index, node) in graph.inputs.enumerated() {
            values[node.name] = node.name == Trainer.learningRateInput && node.type.shape.elementCount == 1
                ? TensorValue(type: node.type, doubles: [1e-3])
                : TensorValue.random(node.type, seed: seed &+ UInt64(index) &+ 1)
        }
        return values
    }
}
