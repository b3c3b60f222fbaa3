import Foundation
import Kiln
import KilnModels
import Testing

/// generated/ holds the standalone C of several zoo models; it must be what `kiln emit` writes
/// now (`make generated` rewrites it). A difference shows the first differing line.
@Suite struct GeneratedCodeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../generated").standardized
    static let models = ["mlp", "lenet5", "resnet18", "mobilenet_v2", "transformer_encoder", "lstm"]

    static func firstDifference(_ a: String, _ b: String) -> String? {
        let left = a.split(separator: "\n", omittingEmptySubsequences: false), right = b.split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(left.count, right.count) {
            let l = index < left.count ? String(left[index]) : "<end of file>"
            let r = index < right.count ? String(right[index]) : "<end of file>"
            if l != r { return "line \(index + 1):\n  committed: \(l.prefix(200))\n  emitted:   \(r.prefix(200))" }
        }
        return nil
    }

    @Test(arguments: models)
    func generatedCodeIsCurrent(_ name: String) throws {
        let entry = try #require(Zoo.entry(name))
        let program = try entry.build(seed: 0).standaloneProgram(name: name, embedWeights: name == "lenet5")
        for file in program.files.keys.sorted() where !file.hasSuffix(".bin") {
            let path = Self.root.appendingPathComponent(name).appendingPathComponent(file)
            let committed = try String(contentsOf: path, encoding: .utf8)
            let emitted = String(decoding: program.files[file]!, as: UTF8.self)
            #expect(Self.firstDifference(committed, emitted) == nil,
                    "generated/\(name)/\(file) is stale (run `make generated`): \(Self.firstDifference(committed, emitted) ?? "")")
        }
    }
}
