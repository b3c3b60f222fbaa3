import Foundation
import KilnC
import KilnIR

/// Standalone C inference code for one graph: `NAME.h` (the API, shapes, workspace size),
/// `NAME.c` (kernels, driver, weight table), `NAME.weights.bin` (unless the weights are embedded),
/// `main.c` (reads .npy inputs, writes .npy outputs) and a `Makefile`.
///
/// The C is C99, needs only libc and libm by default, does no `malloc` (the caller passes a
/// workspace of `NAME_WORKSPACE_BYTES` and a prepared buffer of `NAME_PREPARED_BYTES`) and keeps no
/// mutable globals, so it is reentrant. The weights are read in place (embedded `static const`
/// data, or the caller's read-only copy of the weights file), never copied.
public struct StandaloneProgram: Sendable {
    /// The files, by name.
    public let files: [String: Data]
    /// The C prefix of every exported name.
    public let name: String
    /// Bytes of the workspace (`NAME_WORKSPACE_BYTES`): the best-fit arena of the activations and
    /// scratch alone, the weights, inputs and outputs living in the caller's buffers.
    public let workspaceBytes: Int
    /// Bytes of the values `NAME_init` derives from the weights (`NAME_PREPARED_BYTES`).
    public let preparedBytes: Int
    /// Bytes of the weights and constants (`NAME_WEIGHTS_BYTES`).
    public let weightsBytes: Int
    /// The memory it needs, as its header states it.
    public let footprint: StandaloneFootprint

    /// Emits the program.
    ///
    /// - Parameters:
    ///   - graph: the inference graph the program was generated from.
    ///   - program: its generated C parts (the kernels go behind a standalone prelude and API).
    ///   - parameters: every parameter's value, by node name.
    ///   - name: the name of the files and the prefix of the C API (sanitized).
    ///   - prepare: with embedded weights, computes the prepared values at emit time: given ranges
    ///     of the program's arena, returns their bytes after its preparation kernels ran. The values
    ///     are then embedded as constants too, and the weights only they read are left out.
    ///   - maxRAM: when given, the emission fails unless the read-write memory (workspace and
    ///     prepared buffer) fits in this many bytes.
    public init(
        graph: Graph, program: GeneratedProgram, parameters: [String: TensorValue], name requested: String,
        blas: StandaloneBLAS = .builtin, embedWeights: Bool = false,
        prepare: (([Range<Int>]) throws(KilnError) -> Data)? = nil, maxRAM: Int? = nil
    ) throws(KilnError) {
        var namer = CNamer()
        let name = namer.identifier(for: requested.isEmpty ? graph.name : requested)
        self.name = name
        guard !graph.inputs.isEmpty, !graph.outputs.isEmpty else {
            throw .invalidArgument("graph '\(graph.name)' needs inputs and outputs to emit standalone C")
        }
        guard graph.updates.isEmpty else {
            throw .invalidArgument("graph '\(graph.name)' updates state (a training step); standalone C is for inference graphs")
        }
        var ports = CNamer(reserved: StandaloneSource.reserved)
        let inputNames = graph.inputs.map { ports.identifier(for: $0.name) }
        let outputNames = graph.outputs.map { ports.identifier(for: $0.name) }
        let fusion = program.fusion, preparation = fusion.preparationKernelCount
        let prepare = embedWeights && preparation > 0 ? prepare : nil
        let runReads = program.kernels.dropFirst(preparation).flatMap(\.reads) + graph.outputs.map(\.node)
        let readByRun = Set(runReads.map { fusion.storage(of: $0) })
        let weights = try WeightBlob(graph: graph, parameters: parameters, keeping: prepare != nil ? readByRun : nil)
        let layout = StandaloneLayout(graph: graph, program: program, weights: weights)
        let prepared = try prepare?(layout.preparedRanges)
        workspaceBytes = layout.workspaceBytes
        preparedBytes = prepared == nil ? layout.preparedBytes : 0
        weightsBytes = weights.bytes.count
        let footprint = StandaloneFootprint(
            weights: weights, layout: layout, program: program, blas: blas, embed: embedWeights, preparedEmbedded: prepared != nil,
            runWeightBytes: weights.entries.filter { readByRun.contains($0.node.id) }.reduce(0) { $0 + $1.bytes })
        self.footprint = footprint
        if let maxRAM, footprint.readWriteBytes > maxRAM {
            let peak = footprint.peakKernel.isEmpty ? "" : ", peaking at \(footprint.peakBytes) bytes live in kernel \(footprint.peakKernel)"
            throw .invalidArgument(
                "graph '\(graph.name)' needs \(footprint.readWriteBytes) bytes of RAM (workspace \(footprint.workspaceBytes)\(peak); "
                    + "prepared \(footprint.preparedBytes)), more than --max-ram \(maxRAM)")
        }
        var files: [String: Data] = [:]
        files["\(name).h"] = Data(StandaloneHeader.text(
            graph: graph, name: name, inputs: inputNames, outputs: outputNames, layout: layout, weights: weights,
            footprint: footprint).utf8)
        files["\(name).c"] = Data(StandaloneSource.text(
            graph: graph, program: program, name: name, inputs: inputNames, outputs: outputNames, weights: weights,
            layout: layout, blas: blas, embed: embedWeights, prepared: prepared).utf8)
        if !embedWeights { files["\(name).weights.bin"] = weights.bytes }
        files["main.c"] = Data(StandaloneMain.text(graph: graph, name: name, embedWeights: embedWeights).utf8)
        files["Makefile"] = Data(StandaloneMain.makefile(name: name, blas: blas).utf8)
        self.files = files
    }

    /// Writes every file into `directory` (created if needed).
    public func write(to directory: String) throws(KilnError) {
        try SafeFile.createDirectory(directory)
        for (file, data) in files.sorted(by: { $0.key < $1.key }) {
            try SafeFile.write(data, to: URL(fileURLWithPath: directory).appendingPathComponent(file).path)
        }
    }
}

/// The persistent tensors (parameters and constants) laid end to end.
struct WeightBlob {
    struct Entry {
        var node: Node
        var blobOffset: Int
        var bytes: Int
    }

    var entries: [Entry] = []
    var bytes = Data()

    /// The blob of every parameter and constant, or of those in `keeping`.
    init(graph: Graph, parameters: [String: TensorValue], keeping: Set<NodeID>? = nil) throws(KilnError) {
        for node in graph.nodes where (node.op == Node.parameterOp || node.op == Node.constantOp) && keeping?.contains(node.id) ?? true {
            let value: TensorValue
            if node.op == Node.constantOp {
                value = TensorValue(type: node.type, doubles: graph.constantValues(node))
            } else {
                guard let given = parameters[node.name], given.type == node.type else {
                    throw .invalidArgument("no value of type \(node.type) for parameter '\(node.name)'")
                }
                value = given
            }
            while bytes.count % 16 != 0 { bytes.append(0) }
            entries.append(Entry(node: node, blobOffset: bytes.count, bytes: node.type.byteCount))
            bytes.append(LittleEndianElement.encode(value))
        }
    }
}
