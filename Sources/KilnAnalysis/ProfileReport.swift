import KilnIR

/// What the kernel timer measured of one kernel.
public struct KernelMeasurement: Sendable, Hashable {
    /// The median time of the kernel over the measured runs, in seconds.
    public var medianSeconds: Double
    /// When the kernel started in the traced run, in seconds from the run's start.
    public var traceStartSeconds: Double
    /// How long it took in the traced run, in seconds.
    public var traceSeconds: Double

    /// Creates a measurement.
    public init(medianSeconds: Double, traceStartSeconds: Double, traceSeconds: Double) {
        self.medianSeconds = medianSeconds
        self.traceStartSeconds = traceStartSeconds
        self.traceSeconds = traceSeconds
    }
}

/// One kernel's cost, its place on the roofline, and what it achieved.
public struct KernelProfile: Sendable, Hashable {
    /// The static cost.
    public var cost: KernelCost
    /// Compute- or memory-bound: its intensity against the machine's ridge point.
    public var bound: Bound
    /// The roofline's time, `max(FLOPs / peak, bytes / bandwidth)`, in seconds.
    public var predictedSeconds: Double
    /// The measurement.
    public var measurement: KernelMeasurement
    /// 1 for the slowest kernel.
    public var rank: Int

    /// The measured median time in seconds.
    public var measuredSeconds: Double { measurement.medianSeconds }
    /// FLOPs per second achieved, in GFLOP/s.
    public var achievedGFLOPs: Double { rate(Double(cost.flops)) }
    /// Bytes per second achieved, in GB/s.
    public var achievedGBs: Double { rate(Double(cost.bytes)) }
    /// The fraction of the roofline reached: predicted over measured time (1 = on the roof).
    /// For a compute-bound kernel it is achieved / peak FLOP/s, for a memory-bound one achieved /
    /// peak bandwidth; it also holds for kernels with no FLOPs.
    public var roofFraction: Double { measuredSeconds > 0 ? predictedSeconds / measuredSeconds : 0 }

    private func rate(_ amount: Double) -> Double { measuredSeconds > 0 ? amount / measuredSeconds / 1e9 : 0 }
}

/// The kernels attributed to one layer of the user's model (through node provenance).
public struct LayerProfile: Sendable, Hashable {
    /// The layer's name ("" for nodes created outside any layer).
    public var layer: String
    /// Its kernels, in execution order.
    public var kernels: [Int]
    /// Its trainable parameter elements.
    public var parameters: Int
    /// FLOPs of its kernels.
    public var flops: Int
    /// Bytes its kernels move.
    public var bytes: Int
    /// Measured seconds of its kernels.
    public var measuredSeconds: Double
    /// Its share of the total measured time.
    public var share: Double
}

/// A profiled model: the cost of every kernel, the machine's roofline, and what each kernel
/// achieved. `kiln profile` prints it as a table (`table()` in Kiln), and writes it as JSON
/// (`json()`), CSV (`csv()`), a roofline chart (`RooflineChart`) and a Chrome trace (`chromeTrace()`).
public struct ProfileReport: Sendable {
    /// The model's name.
    public var model: String
    /// `inference` or `training`.
    public var mode: String
    /// The compiler backend that produced the code (`tcc`).
    public var backend: String
    /// The number of measured runs each median is taken over.
    public var runs: Int
    /// The roofline.
    public var machine: MachineModel
    /// The static costs.
    public var costs: CostReport
    /// Every kernel, in execution order.
    public var kernels: [KernelProfile]

    /// Combines costs and measurements (one per kernel, in kernel order) on `machine`.
    public init(
        model: String, mode: String, backend: String, runs: Int, machine: MachineModel, costs: CostReport,
        measurements: [KernelMeasurement]
    ) throws(KilnError) {
        guard measurements.count == costs.kernels.count else {
            throw .invalidArgument("\(measurements.count) kernel measurements for \(costs.kernels.count) kernels")
        }
        self.model = model
        self.mode = mode
        self.backend = backend
        self.runs = runs
        self.machine = machine
        self.costs = costs
        var kernels = zip(costs.kernels, measurements).map { cost, measurement in
            KernelProfile(
                cost: cost, bound: machine.bound(intensity: cost.intensity),
                predictedSeconds: machine.predictedSeconds(flops: cost.flops, bytes: cost.bytes),
                measurement: measurement, rank: 0)
        }
        let order = kernels.indices.sorted { a, b in
            kernels[a].measuredSeconds != kernels[b].measuredSeconds ? kernels[a].measuredSeconds > kernels[b].measuredSeconds : a < b
        }
        for (position, index) in order.enumerated() { kernels[index].rank = position + 1 }
        self.kernels = kernels
    }

    /// The kernels from slowest to fastest.
    public var ranked: [KernelProfile] { kernels.sorted { $0.rank < $1.rank } }

    /// Total measured seconds (the sum of the kernels' medians).
    public var measuredSeconds: Double { kernels.reduce(0) { $0 + $1.measuredSeconds } }

    /// Total roofline seconds.
    public var predictedSeconds: Double { kernels.reduce(0) { $0 + $1.predictedSeconds } }

    /// Measured and predicted seconds of the kernels of `phase` (all when nil).
    public func seconds(_ phase: ExecutionPhase? = nil) -> (measured: Double, predicted: Double) {
        let selected = kernels.filter { phase == nil || $0.cost.phase == phase }
        return (selected.reduce(0) { $0 + $1.measuredSeconds }, selected.reduce(0) { $0 + $1.predictedSeconds })
    }

    /// Time, FLOPs and parameters per user layer, slowest first.
    public var layers: [LayerProfile] {
        let total = measuredSeconds
        var order: [String] = []
        var members: [String: [KernelProfile]] = [:]
        for kernel in kernels {
            if members[kernel.cost.layer] == nil { order.append(kernel.cost.layer) }
            members[kernel.cost.layer, default: []].append(kernel)
        }
        return order.map { layer in
            let group = members[layer]!
            let seconds = group.reduce(0) { $0 + $1.measuredSeconds }
            return LayerProfile(
                layer: layer, kernels: group.map(\.cost.index), parameters: costs.parametersByLayer[layer] ?? 0,
                flops: group.reduce(0) { $0 + $1.cost.flops }, bytes: group.reduce(0) { $0 + $1.cost.bytes },
                measuredSeconds: seconds, share: total > 0 ? seconds / total : 0)
        }.sorted { $0.measuredSeconds > $1.measuredSeconds }
    }
}
