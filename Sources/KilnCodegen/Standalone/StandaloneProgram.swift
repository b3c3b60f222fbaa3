import Foundation
import KilnC
import KilnIR

/// Standalone C inference code for one graph: `NAME.h` (the API, shapes, workspace size),
/// `NAME.c` (kernels, driver, weight table), `NAME.weights.bin` (unless the weights are embedded),
/// `main.c` (reads .npy inputs, writes .npy outputs) and a `Makefile`.
///
/// The C is C99, needs only libc and libm by default, does no `malloc` (the caller passes a
/// workspace of `NAME_WORKSPACE_BYTES`) and keeps no mutable globals, so it is reentrant.
public struct StandaloneProgram: Sendable {
    /// The files, by name.
    public let files: [String: Data]
    /// The C prefix of every exported name.
    public let name: String

    /// Emits the program.
    ///
    /// - Parameters:
    ///   - graph: the inference graph the program was generated from.
    ///   - program: its generated C parts (the kernels go behind a standalone prelude and API).
    ///   - parameters: every parameter's value, by node name.
    ///   - name: the name of the files and the prefix of the C API (sanitized).
    public init(
        graph: Graph, program: GeneratedProgram, parameters: [String: TensorValue], name requested: String,
        blas: StandaloneBLAS = .builtin, embedWeights: Bool = false
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
        var ports = CNamer(reserved: ["workspace", "weights", "weights_bytes", "arena"])
        let inputNames = graph.inputs.map { ports.identifier(for: $0.name) }
        let outputNames = graph.outputs.map { ports.identifier(for: $0.name) }
        let weights = try WeightBlob(graph: graph, plan: program.plan, parameters: parameters)
        var files: [String: Data] = [:]
        files["\(name).h"] = Data(StandaloneHeader.text(
            graph: graph, name: name, inputs: inputNames, outputs: outputNames, plan: program.plan, weights: weights).utf8)
        files["\(name).c"] = Data(StandaloneSource.text(
            graph: graph, program: program, name: name, inputs: inputNames, outputs: outputNames, weights: weights,
            blas: blas, embed: embedWeights).utf8)
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

/// The persistent tensors (parameters and constants) laid end to end, and where each goes in the arena.
struct WeightBlob {
    struct Entry {
        var node: Node
        var blobOffset: Int
        var arenaOffset: Int
        var bytes: Int
    }

    var entries: [Entry] = []
    var bytes = Data()

    init(graph: Graph, plan: MemoryPlan, parameters: [String: TensorValue]) throws(KilnError) {
        for node in graph.nodes where node.op == Node.parameterOp || node.op == Node.constantOp {
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
            entries.append(Entry(node: node, blobOffset: bytes.count, arenaOffset: plan.offset(of: node.id), bytes: node.type.byteCount))
            bytes.append(LittleEndianElement.encode(value))
        }
    }
}
