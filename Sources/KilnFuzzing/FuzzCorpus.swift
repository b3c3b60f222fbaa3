import Foundation
import KilnIR

/// A target's seed corpus (every file of `Fuzz/corpus/<target>/`) and the inputs derived from
/// it: input `index` of a run with `seed` is always the same bytes, so a child process and its
/// parent agree on what case `index` was.
public struct FuzzCorpus: Sendable {
    /// The target the corpus feeds.
    public let target: FuzzTarget
    /// The seed inputs, in file-name order.
    public let seeds: [[UInt8]]

    /// Reads the files of `folder` (not recursively); an empty or missing folder gives one empty seed.
    public init(target: FuzzTarget, folder: URL) {
        self.target = target
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.sorted() ?? []
        let files = names.compactMap { try? [UInt8](Data(contentsOf: folder.appendingPathComponent($0))) }
        seeds = files.isEmpty ? [[]] : files
    }

    /// Case `index` of the run seeded `seed`: a seed input as it is for the first pass over the
    /// corpus, then mutations of seeds (structured ones for ONNX and `.kiln` half of the time).
    public func input(_ index: Int, seed: UInt64) -> [UInt8] {
        if index < seeds.count { return seeds[index] }
        var mutator = Mutator(seed: seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
        let base = seeds[mutator.below(seeds.count)]
        if target == .compile { return RandomGraph.generate(&mutator) ?? base }
        if mutator.below(2) == 0 {
            let structured = switch target {
            case .onnx: ONNXMutation.mutate(base, &mutator)
            case .kiln: KilnTextMutation.mutate(base, &mutator)
            case .arguments: ArgumentFuzzing.mutate(base, &mutator)
            case .npy, .safetensors, .csv, .compile: nil as [UInt8]?
            }
            if let structured { return structured }
        }
        return mutator.mutate(base, corpus: seeds)
    }
}
