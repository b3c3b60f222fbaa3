import KilnC
import KilnIR

/// The memory a standalone program needs, as the header and `kiln emit` state it: read-only bytes
/// (weights and constants, and an estimate of the code, `StandaloneCodeSize`; `make footprint`
/// measures it, since the compiler and its flags decide it), read-write bytes (workspace, prepared
/// buffer, with what the prepared buffer holds), and a bound on the largest stack frame.
public struct StandaloneFootprint: Sendable, Hashable {
    /// Bytes of parameters in the weight blob (embedded `static const`, or the caller's read-only buffer).
    public let parameterBytes: Int
    /// Bytes of constants in the weight blob (and their alignment padding).
    public let constantBytes: Int
    /// Whether the weights are compiled into the object.
    public let embedded: Bool
    /// Estimated bytes of machine code and compiler tables under `gcc -O3` (`StandaloneCodeSize`).
    public let codeBytes: Int
    /// Bytes of the weight blob that `NAME_run` reads (the rest only `NAME_init` reads).
    public let runWeightBytes: Int
    /// The prepared buffer's values by the operator computing them, largest first: all derived
    /// from the weights alone.
    public let preparedContents: [PreparedValues]

    /// Prepared values that one operator computes (`winograd_filter`, the `mul` of a folded batch norm).
    public struct PreparedValues: Sendable, Hashable {
        public let op: String
        public var bytes: Int
    }
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
        preparedEmbedded: Bool, runWeightBytes: Int
    ) {
        let parameters = weights.entries.filter { $0.node.op == Node.parameterOp }.reduce(0) { $0 + $1.bytes }
        parameterBytes = parameters
        constantBytes = weights.bytes.count - parameters
        embedded = embed
        let calls = program.kernels.count - (preparedEmbedded ? program.fusion.preparationKernelCount : 0)
        codeBytes = StandaloneCodeSize(
            kernelCode: program.kernelCode.text, calls: calls, builtinGEMM: blas == .builtin && program.usesGEMM).bytes
        self.runWeightBytes = runWeightBytes
        preparedContents = preparedEmbedded ? [] : layout.preparedContents
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
        let blob = parameterBytes + constantBytes
        var lines = [
            "read-only: \(blob + embeddedPreparedBytes) bytes of weights (\(weights)): "
                + "\(parameterBytes) of parameters, \(constantBytes) of constants"
                + (embeddedPreparedBytes > 0 ? ", \(embeddedPreparedBytes) of prepared values computed at emit time" : "")
                + "; code about \(codeBytes) bytes (estimated for gcc -O3 on x86-64; `make footprint` measures it)",
            "read-write: \(readWriteBytes) bytes: workspace \(workspaceBytes) (activations and scratch, peak "
                + "\(peakBytes) live\(peakKernel.isEmpty ? "" : " in \(peakKernel)")), prepared \(preparedBytes)",
        ]
        if preparedBytes > 0 {
            let contents = preparedContents.map { "\($0.op) \($0.bytes)" }.joined(separator: ", ")
            lines.append(
                "prepared: all \(preparedBytes) bytes derived from the weights (by operator: \(contents)); written once by init, "
                    + "read-only afterwards, so they may be computed once (on a host) and kept in flash; "
                    + "run then reads \(runWeightBytes) of the \(blob) bytes of weights")
        }
        lines.append(
            "stack: every generated function's frame is under \(stackBound) bytes"
                + (stackBound > Self.smallFrameBound ? " (the built-in GEMM's packed panels take \(Self.gemmPanelBytes))" : ""))
        return lines
    }
}
