import KilnIR

/// One generated kernel: its C function and the nodes it computes.
public struct KernelInfo: Sendable, Hashable {
    /// The C function's name (`k003_matmul_add_relu`).
    public var function: String
    /// The nodes the kernel computes, in order.
    public var nodes: [NodeID]
}

/// A generated C translation unit and what the runtime needs to drive it.
///
/// Entry points: `void kiln_prepare(unsigned char *arena)` runs the preparation kernels (the
/// first `fusion.preparationKernelCount`), needed once after the parameters are set;
/// `void kiln_run(unsigned char *arena)` runs the other kernels in order;
/// `void kiln_update(unsigned char *arena)` then copies the state updates that were not computed
/// in place (the runtime reads the outputs first, so an output that is an updated parameter
/// holds its value before the update); `void kiln_run_kernel(int index, unsigned char *arena)`
/// runs one kernel (for per-kernel timing), and index `kernels.count` runs the state updates.
public struct GeneratedProgram: Sendable {
    /// The C source.
    public var source: String
    /// For each source line (0-based), the name of the node whose code it is.
    public var lineOwners: [String?]
    /// The kernels in execution order.
    public var kernels: [KernelInfo]
    /// Which nodes each kernel computes and stores.
    public var fusion: FusionPlan
    /// Where every tensor lives in the arena.
    public var plan: MemoryPlan
}
