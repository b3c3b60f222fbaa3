import Foundation
import Kiln
import KilnIR
import KilnModels
import Testing

/// Every zoo model with a file in `graphs/` against that file: the text is what the zoo prints
/// now (`make graphs` rewrites the files), and the parsed graph compiles and computes what the
/// model does.
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
        #expect(text == GraphText.print(model.graph), "graphs/\(name).kiln is stale: run `make graphs`")
        let parsed = Model(graph: try GraphParser.parse(text))
        var inputs: [String: TensorValue] = [:]
        for (index, node) in model.graph.inputs.enumerated() {
            inputs[node.name] = TensorValue.random(node.type, seed: UInt64(index) + 1)
        }
        #expect(try parsed.compile().run(inputs) == model.compile().run(inputs))
    }
}
