import KilnC
import KilnIR
import KilnOps

/// One generated kernel: its C function and the nodes it computes.
public struct KernelInfo: Sendable, Hashable {
    /// The C function's name (`k003_matmul_add_relu`).
    public var function: String
    /// The nodes the kernel computes, in order.
    public var nodes: [NodeID]
    /// The algorithm of its primary node in the kernel plan (`im2col+gemm`), or empty.
    public var algorithm: String
    /// The values its pointer parameters read, in parameter order (the stored values follow).
    public var reads: [NodeID] = []
    /// The values it stores, in parameter order after the reads.
    public var stores: [NodeID] = []
    /// Whether its last parameter is scratch space.
    public var usesScratch = false
}

/// What the drivers of a generated program do, as C statements over `unsigned char *arena`:
/// each flavour (JIT, standalone) wraps them in its own functions.
public struct DriverBodies: Sendable {
    /// The preparation kernels' calls (values derived from the parameters alone).
    public let prepare: [String]
    /// The other kernels' calls, in order.
    public let run: [String]
    /// The copies of the state updates not computed in place (after the outputs are read).
    public let updates: [String]
}

/// A generated program in parts, and its JIT translation unit assembled from them.
///
/// The parts: the kernel functions (`kernelCode`, each line owned by its node), the drivers'
/// bodies, and whether any kernel calls `cblas_sgemm`. The JIT flavour (`source`, compiled by tcc
/// and by the native compiler alike) declares its libc/libm/CBLAS prototypes (`CPrelude.jit`);
/// the standalone flavour (`StandaloneProgram`) puts the same kernel text behind real headers.
///
/// The JIT entry points: `void kiln_prepare(unsigned char *arena)` runs the preparation kernels
/// (the first `fusion.preparationKernelCount`), needed once after the parameters are set;
/// `void kiln_run(unsigned char *arena)` runs the other kernels in order;
/// `void kiln_update(unsigned char *arena)` then copies the state updates that were not computed
/// in place (the runtime reads the outputs first, so an output that is an updated parameter
/// holds its value before the update); `void kiln_run_kernel(int index, unsigned char *arena)`
/// runs one kernel (for per-kernel timing), and index `kernels.count` runs the state updates;
/// `int kiln_set_threads(int count)` sets the thread count of the loops the native compiler
/// parallelized with OpenMP (nothing under tcc) and returns the thread count OpenBLAS runs on
/// (1 with OpenMP, whose threads split the products: `CPrelude.parallelGEMM`; `count` under tcc);
/// `int kiln_copy(void *to, const void *from, long bytes, int threads)` copies on OpenMP's
/// threads and returns 1, or returns 0 without OpenMP (`CPrelude.parallelCopy`).
public struct GeneratedProgram: Sendable {
    /// The name of the graph the program computes.
    public let graphName: String
    /// The number of nodes of that graph.
    public let nodeCount: Int
    /// The kernel functions, one `static void` each, with the node each line belongs to.
    public let kernelCode: CWriter
    /// The statements of the drivers.
    public let drivers: DriverBodies
    /// Whether a kernel calls `cblas_sgemm`.
    public let usesGEMM: Bool
    /// The kernels in execution order.
    public let kernels: [KernelInfo]
    /// Which nodes each kernel computes and stores.
    public let fusion: FusionPlan
    /// Where every tensor lives in the arena.
    public let plan: MemoryPlan
    /// How each GEMM-shaped node is computed.
    public let kernelPlan: KernelPlan
    /// The JIT translation unit, assembled once from the parts.
    private var jit = CWriter()

    /// Assembles the JIT translation unit from the parts.
    public init(
        graphName: String, nodeCount: Int, kernelCode: CWriter, drivers: DriverBodies, usesGEMM: Bool, kernels: [KernelInfo],
        fusion: FusionPlan, plan: MemoryPlan, kernelPlan: KernelPlan
    ) {
        self.graphName = graphName
        self.nodeCount = nodeCount
        self.kernelCode = kernelCode
        self.drivers = drivers
        self.usesGEMM = usesGEMM
        self.kernels = kernels
        self.fusion = fusion
        self.plan = plan
        self.kernelPlan = kernelPlan
        jit = JITSource.assemble(self)
    }

    /// The JIT C source (what the runtime compiles).
    public var source: String { jit.text }
    /// For each line of `source` (0-based), the name of the node whose code it is.
    public var lineOwners: [String?] { jit.owners }
}
