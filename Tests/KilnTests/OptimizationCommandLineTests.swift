import Foundation
import Testing

/// The optimization options of `kiln run` and `kiln show`: the report, Graphviz output, pass
/// listing and dumps, and their errors.
@Suite struct OptimizationCommandLineTests {
    func kiln(_ arguments: [String]) throws -> CommandLineTests.Result { try CommandLineTests.kiln(arguments) }

    @Test func showPlanReportsFewerKernelsAndTheArena() throws {
        let result = try kiln(["show", "mlp-digits", "--plan", "--brief"])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("fusion: 5 -> 2 kernels, bytes moved 148776 -> 116008"))
        #expect(result.output.contains("memory: arena 64320 bytes, lower bound (peak live) 64320 bytes, naive sum 98368 bytes"))
        let full = try kiln(["show", "mlp-digits", "--plan", "--training"])
        #expect(full.status == 0, "\(full.error)")
        #expect(full.output.contains("optimization of 'mlp-digits' (training step)"))
        #expect(full.output.contains("  kernel 0 [matmul+add+relu"))
        #expect(full.output.contains("not fused with"))
        #expect(full.output.contains("memory plan 'mlp-digits'"))
    }

    @Test func dotFileHasOneClusterPerKernel() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-\(UUID().uuidString).dot").path
        let result = try kiln(["show", "mlp", "--dot", path])
        #expect(result.status == 0, "\(result.error)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("digraph \"mlp\" {"))
        #expect(text.components(separatedBy: "subgraph cluster_k").count - 1 == 3)
    }

    @Test func passesCanBeListedAndDumped() throws {
        let listed = try kiln(["run", "mlp", "--print-passes"])
        #expect(listed.status == 0, "\(listed.error)")
        #expect(listed.output.contains("passes:\n  constant-folding "))
        #expect(listed.output.contains("dead-code-elimination             15 -> 15 nodes"))
        let dumped = try kiln(["run", "mlp", "--dump-after", "algebraic-simplification"])
        #expect(dumped.output.hasPrefix("// after algebraic-simplification\ngraph mlp {\n"))
        let plain = try kiln(["run", "mlp", "--no-optimize"])
        #expect(plain.output.contains("8 kernels"))
    }

    @Test func unknownPassIsOneLine() throws {
        let result = try kiln(["run", "mlp", "--dump-after", "nope"])
        #expect(result.status == 1)
        #expect(result.error == "error: --dump-after: no pass 'nope' in the pipeline (its passes: constant-folding, "
            + "algebraic-simplification, common-subexpression-elimination, pad-sum-concatenation, batch-norm-folding, dead-code-elimination, winograd-selection)\n")
    }
}
