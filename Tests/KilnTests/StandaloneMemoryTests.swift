import Foundation
import Kiln
import KilnModels
import Testing

/// Standalone C keeps its weights where they are: read in place from read-only pages (or embedded
/// `static const`), the prepared values computed once, a workspace of activations only, no heap
/// allocation while running, inputs and outputs in the caller's buffers.
@Suite(.serialized) struct StandaloneMemoryTests {
    static let sanitized = "clang -std=c99 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all "
        + "-Wall -Wextra -Werror"

    /// cnn-digits folds batch norms (prepared values); lenet5 and the MLP read their weights directly.
    @Test(arguments: ["cnn-digits", "lenet5", "mlp"], [false, true])
    func readOnlyWeightsAGarbageWorkspaceAndNoAllocationInRun(name: String, embed: Bool) throws {
        let model = try #require(Zoo.entry(name)).build(seed: 1)
        let result = try StandaloneHarness.run(model, command: Self.sanitized, embed: embed)
        #expect(result.error < 1e-5, "\(name): relative error \(result.error)")
        #expect(result.output == "allocations: init 0, run 0\n", "\(name): \(result.output)")
    }

    @Test func theWorkspaceHoldsNoWeightsInputsOrPreparedValues() throws {
        let model = try #require(Zoo.entry("cnn-digits")).build(seed: 1)
        let program = try model.standaloneProgram(name: "cnn")
        let header = String(decoding: program.files["cnn.h"]!, as: UTF8.self)
        #expect(header.contains("#define CNN_WORKSPACE_BYTES \(program.workspaceBytes)\n"))
        #expect(header.contains("#define CNN_PREPARED_BYTES \(program.preparedBytes)\n"))
        #expect(program.preparedBytes > 0, "the folded batch norms are prepared values")
        let jitArena = try model.compile().program.plan.arenaBytes
        let inputs = model.graph.inputs.reduce(0) { $0 + $1.type.byteCount }
        #expect(program.workspaceBytes <= jitArena - program.weightsBytes - program.preparedBytes - inputs,
                "workspace \(program.workspaceBytes), JIT arena \(jitArena)")
        let source = String(decoding: program.files["cnn.c"]!, as: UTF8.self)
        #expect(!source.contains("memcpy(arena"), "nothing is copied into the workspace")
    }

    /// onnx2c's static buffers for the same models (issue 19): ResNet-18 6.9 MiB, MobileNetV2 10.9 MiB.
    /// ResNet-18's first convolution alone needed a 7.4 MB patch matrix before im2col ran in bands.
    @Test(arguments: [("resnet18", 6.9), ("mobilenet_v2", 10.9)])
    func theWorkspaceIsBelowOnnx2csStaticBuffers(name: String, mebibytes: Double) throws {
        let program = try #require(Zoo.entry(name)).build(seed: 1).standaloneProgram(name: "net")
        #expect(Double(program.workspaceBytes) < mebibytes * 1_048_576, "\(name): workspace \(program.workspaceBytes) bytes")
    }

    @Test func anOutputThatIsAnInputIsCopiedAndTheHeaderSaysSo() throws {
        let model = Model("edges") { g in
            let x = g.input("x", [2, 3])
            g.output("same", x)
            g.output("y", relu(x))
        }
        let program = try model.standaloneProgram(name: "edges")
        let header = String(decoding: program.files["edges.h"]!, as: UTF8.self)
        #expect(header.contains("/* output 'same': f32[2,3], copied at the end (its value also lives elsewhere) */"))
        #expect(header.contains("/* output 'y': f32[2,3], written in place */"))
        let result = try StandaloneHarness.run(model, command: Self.sanitized, embed: false)
        #expect(result.error == 0)
    }
}
