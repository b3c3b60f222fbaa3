import Foundation
import Testing

/// `kiln bench` as a user runs it, on a machine model fixed by KILN_MACHINE (nothing is measured,
/// no cache is written, and no time is asserted).
@Suite struct BenchCommandTests {
    static func bench(_ arguments: [String]) throws -> CommandLineTests.Result {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        return try ProfileCommandTests.kiln(["bench"] + arguments, machine: "peak_gflops=100,bandwidth_gbs=10", cache: cache)
    }

    @Test func theSuitePrintsOneRowPerWorkloadAndThreadCount() throws {
        let result = try Self.bench(["--suite", "--quick", "--filter", "mlp (batch", "--filter", "lenet5_mnist", "--threads", "1", "--backend", "tcc"])
        #expect(result.status == 0, "\(result.error)")
        let rows = result.output.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| workload") }
        #expect(rows.count == 4)
        #expect(rows.map { $0.split(separator: "|")[0].trimmingCharacters(in: .whitespaces) }
            == ["mlp (batch 64)", "mlp (batch 64)", "lenet5_mnist (batch 64)", "lenet5_mnist (batch 64)"])
        #expect(rows.allSatisfy { $0.contains("| 1 | tcc |") && $0.contains(" + tcc ") && $0.hasSuffix("% |") })
        #expect(result.output.contains("OPENBLAS_CORETYPE="))
    }

    @Test func oneModelComparesTheVariantsWithCompilePhases() throws {
        let result = try Self.bench(["mlp", "--train", "--optimizer", "sgd", "--runs", "2", "--warmup", "0", "--backend", "tcc"])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("mlp (sgd step)"))
        #expect(result.output.contains("compile ") && result.output.contains("passes") && result.output.contains("tcc"))
        #expect(result.output.contains("of the roofline"))
        #expect(result.output.contains("speed-up of the optimized program: "))
    }

    @Test func theNativeTierShowsItsCompilerOrTheCacheHit() throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let arguments = ["bench", "mlp", "--runs", "1", "--warmup", "0", "--threads", "2"]
        var outputs: [String] = []
        for backend in ["native", "tiered"] {
            let result = try ProfileCommandTests.kiln(arguments + ["--backend", backend], machine: "peak_gflops=100,bandwidth_gbs=10", cache: cache)
            #expect(result.status == 0, "\(result.error)")
            outputs.append(result.output)
        }
        #expect(outputs[0].contains("mlp (inference), native, 2 threads"), "\(outputs[0])")
        #expect(outputs[0].contains("code generation ") && outputs[0].contains(", native "), "\(outputs[0])")
        // The tiered run compiles the same program: tcc at once, the native object from the cache.
        #expect(outputs[1].contains("mlp (inference), native, 2 threads"), "\(outputs[1])")
        #expect(outputs[1].contains(", tcc ") && outputs[1].contains(", native cache hit "), "\(outputs[1])")
    }

    @Test func badRequestsSayWhatIsWrong() throws {
        let missing = try Self.bench([])
        #expect(missing.status == 1 && missing.error == "error: give a MODEL to benchmark, or --suite\n")
        let unmatched = try Self.bench(["--suite", "--filter", "nothing"])
        #expect(unmatched.status == 1 && unmatched.error.hasPrefix("error: no suite workload matches 'nothing' (the workloads: mlp (batch 64)"))
        let optimizer = try Self.bench(["mlp", "--train", "--optimizer", "lion"])
        #expect(optimizer.status == 1 && optimizer.error.hasPrefix("error: unknown optimizer 'lion' (expected sgd, momentum"))
    }
}
