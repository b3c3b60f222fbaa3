import Foundation
import Kiln
import KilnIR
import KilnModels
import Testing

/// Every zoo model with a file in `graphs/` against that file: the text is what the zoo prints
/// now (`make graphs` rewrites the files), it parses back to the zoo's graph, and the parsed graph
/// compiles and runs end to end (finite outputs of the declared shapes).
@Suite struct ZooGraphFileTests {
    static let graphs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../graphs").standardized

    /// The zoo entries that have a graph file.
    static let entriesWithFiles: [String] = Zoo.entries.map(\.name).filter {
        FileManager.default.fileExists(atPath: graphs.appendingPathComponent("\($0).kiln").path)
    }

    @Test func theSequenceModelsHaveGraphFiles() {
        for name in ["transformer_encoder", "lstm", "gru", "seq2seq", "reverse"] {
            #expect(Self.entriesWithFiles.contains(name), "graphs/\(name).kiln is missing: run `make graphs`")
        }
    }

    @Test(arguments: entriesWithFiles)
    func graphFileMatchesTheZoo(name: String) throws {
        let entry = try #require(Zoo.entry(name))
        let text = try String(contentsOf: Self.graphs.appendingPathComponent("\(name).kiln"), encoding: .utf8)
        let model = entry.build(seed: 0)
        #expect(text == model.graphFileText, "graphs/\(name).kiln is stale: run `make graphs`")
        let file = try GraphParser.parseFile(text)
        #expect(file.inference == model.graph)
        #expect(file.training == model.trainingForwardGraph)
        let parsed = file.inference
        var inputs: [String: TensorValue] = [:]
        for (index, node) in parsed.inputs.enumerated() {
            inputs[node.name] = TensorValue.random(node.type, seed: UInt64(index) + 1, low: 0, high: node.type.dtype.isInteger ? 2 : 1)
        }
        let outputs = try Model(graph: parsed).compile().run(inputs)
        for output in parsed.outputs {
            let value = try #require(outputs[output.name])
            #expect(value.type == parsed[output.node].type)
            #expect(value.doubles.allSatisfy { $0.isFinite }, "\(name): output \(output.name) is not finite")
        }
    }
}
