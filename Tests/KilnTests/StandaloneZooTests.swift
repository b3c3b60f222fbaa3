import Foundation
import Kiln
import KilnModels
import Testing

/// Every zoo model's standalone C, with external weights (read-only pages, a garbage workspace,
/// two identical runs) and, when its C stays small enough to compile quickly, embedded weights,
/// matches the JIT; a 32-bit build catches `long`-size assumptions.
@Suite(.serialized) struct StandaloneZooTests {
    /// Embedded weights become 6 bytes of C per byte: beyond this the source is too large to compile in a test.
    static let embeddedLimit = 4 << 20

    @Test(arguments: Zoo.entries.map(\.name))
    func matchesTheJITWithExternalAndEmbeddedWeights(name: String) throws {
        let model = try #require(Zoo.entry(name)).build(seed: 2)
        let external = try StandaloneHarness.run(model, command: "gcc -std=c99 -O1 -Wall -Wextra -Werror", embed: false)
        #expect(external.error < 1e-5, "\(name), external weights: relative error \(external.error)")
        let weights = try model.standaloneProgram(name: "net").weightsBytes
        guard weights <= Self.embeddedLimit else { return }
        let embedded = try StandaloneHarness.run(model, command: "gcc -std=c99 -O1 -Wall -Wextra -Werror", embed: true)
        #expect(embedded.error < 1e-5, "\(name), embedded weights: relative error \(embedded.error)")
    }

    /// Whether `gcc -m32` builds and links a program (the multilib of `make deps`).
    static let hasMultilib: Bool = {
        guard let directory = try? StandaloneTests.temporaryDirectory("m32") else { return false }
        defer { try? FileManager.default.removeItem(at: directory) }
        try? Data("#include <math.h>\nint main(void) { return (int)sqrtf(0.0f); }\n".utf8).write(to: directory.appendingPathComponent("t.c"))
        return (try? StandaloneTests.shell("gcc -m32 -o t t.c -lm", in: directory).status) == 0
    }()

    @Test(.enabled(if: hasMultilib, "gcc -m32 needs gcc-multilib (make deps installs it)"), arguments: ["lenet5", "cnn-digits", "lstm"])
    func aThirtyTwoBitBuildMatchesTheJIT(name: String) throws {
        let model = try #require(Zoo.entry(name)).build(seed: 2)
        let result = try StandaloneHarness.run(model, command: "gcc -m32 -std=c99 -O2 -Wall -Wextra -Werror", embed: name == "lenet5")
        #expect(result.error < 1e-5, "\(name) at 32 bits: relative error \(result.error)")
    }
}
