import Foundation
import KilnFuzzing
import Testing

/// The fuzzing driver of `make fuzz` (`kiln-fuzz`): every committed corpus input (the seeds and
/// the inputs that once crashed) runs through its target in process without a trap, and the
/// cases a run derives from the corpus are the same in the parent and the child.
@Suite struct FuzzCorpusTests {
    static let corpus = CommandLineTests.root.appendingPathComponent("Fuzz/corpus")

    @Test(arguments: FuzzTarget.allCases)
    func everyCorpusInputRuns(target: FuzzTarget) throws {
        let inputs = FuzzCorpus(target: target, folder: Self.corpus.appendingPathComponent(target.rawValue))
        #expect(inputs.seeds.count >= 3)
        for seed in inputs.seeds { target.run(Data(seed)) }
    }

    @Test func theONNXSeedsImportAndTheRegressionsAreRefused() throws {
        let folder = Self.corpus.appendingPathComponent("onnx")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let message = FuzzTarget.onnx.run(try Data(contentsOf: folder.appendingPathComponent(name)))
            if name.hasPrefix("regression-") {
                #expect(message?.isEmpty == false, "\(name)")
            } else {
                #expect(message == nil, "\(name): \(message ?? "")")
            }
        }
    }

    @Test(arguments: FuzzTarget.allCases)
    func casesAreDeterministicAndMutated(target: FuzzTarget) {
        let inputs = FuzzCorpus(target: target, folder: Self.corpus.appendingPathComponent(target.rawValue))
        let indices = inputs.seeds.count..<inputs.seeds.count + 50
        #expect(indices.map { inputs.input($0, seed: 3) } == indices.map { inputs.input($0, seed: 3) })
        #expect(indices.map { inputs.input($0, seed: 3) } != indices.map { inputs.input($0, seed: 4) })
        #expect(indices.contains { !inputs.seeds.contains(inputs.input($0, seed: 3)) })
    }
}
