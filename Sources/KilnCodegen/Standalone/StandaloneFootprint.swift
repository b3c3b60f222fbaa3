import KilnC
import KilnIR

/// The memory a standalone program needs, as the header and `kiln emit` state it: read-only bytes
/// (weights and constants; the code is measured by `make footprint`, since the compiler and its
/// flags decide its size), read-write bytes (workspace, prepared buffer), and a bound on the
/// largest stack frame.
public struct StandaloneFootprint: Sendable, Hashable {
    /// Bytes of parameters in the weight blob (embedded `static const`, or the caller's read-only buffer).
    public let parameterBytes: Int
    /// Bytes of constants in the weight blob (and their alignment padding).
    public let constantBytes: Int
    /// Whether the weights are compiled into the object.
    public let embedded: Bool
    /// Bytes of the workspace (activations and scratch).
    public let workspaceBytes: Int
    /// Bytes of the prepared buffer (0 when the prepared values are embedded).
    public let preparedBytes: Int
    /// Bytes of prepared values computed at emit time and embedded `static const`.
    public let embeddedPreparedBytes: Int
    /// The most workspace bytes live at one step, and the kernel running then (empty before the first).
    public let peakBytes: Int
    public let peakKernel: String
    /// A bound on the largest stack frame of the generated functions (`-fstack-usage`).
    public let stackBound: Int

    /// Bytes of read-write memory: workspace and prepared buffer.
    public var readWriteBytes: Int { workspaceBytes + preparedBytes }

    /// The stack frames: the built-in GEMM's packed panels, everything else small.
    static let smallFrameBound = 2048
    /// Bytes of the built-in GEMM's panels (packed A, packed B, one tile of results).
    static let gemmPanelBytes = (48 * 128 + 128 * 16 + 6 * 16) * 4

    init(
        weights: WeightBlob, layout: StandaloneLayout, program: GeneratedProgram, blas: StandaloneBLAS, embed: Bool,
        preparedEmbedded: Bool
    ) {
        let parameters = weights.entries.filter { $0.node.op == Node.parameterOp }.reduce(0) { $0 + $1.bytes }
        parameterBytes = parameters
        constantBytes = weights.bytes.count - parameters
        embedded = embed
        workspaceBytes = layout.workspaceBytes
        preparedBytes = preparedEmbedded ? 0 : layout.preparedBytes
        embeddedPreparedBytes = preparedEmbedded ? layout.preparedBytes : 0
        peakBytes = layout.peak.bytes
        peakKernel = layout.peak.step >= 0 ? program.kernels[layout.peak.step].function : ""
        stackBound = Self.smallFrameBound + (blas == .builtin && program.usesGEMM ? Self.gemmPanelBytes : 0)
    }

    /// The report, one fact a line, for the header (inside a comment) and `kiln emit`.
    public var lines: [String] {
        let weights = embedded ? "embedded static const" : "the caller's read-only buffer"
        return [
            "read-only: \(parameterBytes + constantBytes + embeddedPreparedBytes) bytes of weights (\(weights)): "
                + "\(parameterBytes) of parameters, \(constantBytes) of constants"
                + (embeddedPreparedBytes > 0 ? ", \(embeddedPreparedBytes) of prepared values computed at emit time" : "")
                + "; code: `make footprint` measures it (size -A)",
            "read-write: \(readWriteBytes) bytes: workspace \(workspaceBytes) (activations and scratch, peak "
                + "\(peakBytes) live\(peakKernel.isEmpty ? "" : " in \(peakKernel)")), prepared \(preparedBytes)",
            "stack: every generated function's frame is under \(stackBound) bytes"
                + (stackBound > Self.smallFrameBound ? " (the built-in GEMM's packed panels take \(Self.gemmPanelBytes))" : ""),
        ]
    }
}
