import Foundation
import Kiln
import KilnIR
import KilnONNX
import KilnOps

/// An input format Kiln reads from files a user gives it, as a fuzz target: `run` feeds one
/// input to the reader and to what the tool does next with a successful read (verification,
/// costs, and for small graphs the reference interpreter). A thrown error is the expected
/// answer to a bad input; a trap, a hang or a huge allocation is a finding.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// `.kiln` graph files (`GraphParser.parseFile`, then verification).
    case kiln
    /// ONNX models (`ONNXImporter.decode`).
    case onnx
    /// `.npy` arrays (`NumPyFile.decode`).
    case npy
    /// safetensors files (`SafeTensors.decode`).
    case safetensors
    /// Labeled-row CSV files, as `kiln train --data FILE` reads them (`DigitsData.parse`, then batching).
    case csv
    /// Argument vectors of the `kiln` tool, one argument a line (see `ArgumentFuzzing`).
    case arguments
    /// Small random valid graphs compiled with tcc and compared with the reference interpreter
    /// (see `RandomGraph`); the cases are `.kiln` files.
    case compile

    /// The most elements a graph may hold in all its nodes together for `run` to interpret it.
    static let interpretedElements = 1 << 14

    /// Reads `data` as this target's format and exercises what follows a successful read;
    /// returns the error message for an input Kiln refuses, or nil for one it accepts.
    @discardableResult
    public func run(_ data: Data) -> String? {
        do {
            switch self {
            case .kiln:
                let file = try GraphParser.parseFile(String(decoding: data, as: UTF8.self))
                for graph in [file.inference] + (file.training.map { [$0] } ?? []) {
                    try OperatorRegistry.verify(graph)
                    try Self.exercise(Model(graph: graph))
                }
            case .onnx:
                let imported = try ONNXImporter.decode(data)
                try Self.exercise(Model(graph: imported.graph, parameters: imported.parameters))
            case .npy:
                _ = NumPyFile.encode(try NumPyFile.decode(data))
            case .safetensors:
                _ = try SafeTensors.decode(data)
            case .csv:
                let (train, test) = try DigitsData.parse(String(decoding: data, as: UTF8.self), path: "<fuzz>")
                for rows in [train, test] {
                    _ = rows.batch(rows.shuffledOrder(seed: 1, epoch: 0).prefix(4), featureShape: [rows.featureCount], paddedTo: 4)
                }
            case .arguments:
                ArgumentFuzzing.run([UInt8](data))
            case .compile:
                let graph = try GraphParser.parseFile(String(decoding: data, as: UTF8.self)).inference
                try OperatorRegistry.verify(graph)
                try RandomGraph.check(graph)
            }
            return nil
        } catch {
            return error.description
        }
    }

    /// The costs of every node and, for a small graph, one run of the reference interpreter on
    /// seeded inputs.
    static func exercise(_ model: Model) throws(KilnError) {
        let graph = model.graph
        for node in graph.nodes { _ = OperatorRegistry.cost(of: node, in: graph) }
        let elements = graph.nodes.reduce(0) { $0 + ($1.type.shape.checkedElementCount ?? .max / 2) }
        guard elements <= interpretedElements else { return }
        var inputs: [String: TensorValue] = [:]
        for node in graph.nodes where node.op == Node.inputOp {
            inputs[node.name] = TensorValue.random(node.type, seed: 1, low: 0, high: 3)
        }
        _ = try model.interpret(inputs)
    }
}
