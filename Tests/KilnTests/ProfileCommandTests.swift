import Foundation
import Testing

/// `kiln profile` as a user runs it, on a machine model fixed by KILN_MACHINE (nothing is measured,
/// no cache is written, and no time is asserted).
@Suite struct ProfileCommandTests {
    static func kiln(_ arguments: [String], machine: String, cache: URL) throws -> CommandLineTests.Result {
        try CommandLineTests.kiln(arguments, environment: ["KILN_MACHINE": machine, "XDG_CACHE_HOME": cache.path])
    }

    @Test func writesTheTableAndEveryReport() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-profile-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let files = ["json", "csv", "svg", "trace"].map { directory.appendingPathComponent("profile.\($0)").path }
        let result = try Self.kiln(
            ["profile", "mlp", "--runs", "2", "--json", files[0], "--csv", files[1], "--svg", files[2], "--trace", files[3]],
            machine: "peak_gflops=100,bandwidth_gbs=10", cache: directory)
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("machine (environment): peak 100 GFLOP/s [given], bandwidth 10 GB/s [given], ridge point 10 FLOP/B"))
        #expect(result.output.contains("convention: FLOPs = 2 x MACs"))
        #expect(result.output.contains("k000_matmul"))
        for file in files {
            #expect(FileManager.default.fileExists(atPath: file))
            #expect(result.output.contains("wrote \(file)"))
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: files[0]))) as? [String: Any]
        #expect((json?["kernels"] as? [Any])?.count == 3, "one kernel per fused layer of the MLP")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("kiln/machine.json").path))
    }

    @Test func badArgumentsExitWithOneLine() throws {
        let cache = FileManager.default.temporaryDirectory
        let cases: [([String], String, String)] = [
            (["profile", "mlp", "--runs", "0"], "peak_gflops=100,bandwidth_gbs=10",
             "error: --runs must be a positive integer, got 0\n"),
            (["profile", "mlp"], "peak_gflops=100", "error: machine model 'peak_gflops=100': peak_gflops and bandwidth_gbs are required\n"),
            (["profile", "mlp", "--peak-gflops", "0"], "peak_gflops=100,bandwidth_gbs=10",
             "error: --peak-gflops must be a positive finite number, got 0\n"),
            (["profile", "nosuchmodel"], "peak_gflops=100,bandwidth_gbs=10", "error: unknown model 'nosuchmodel': not a zoo model"),
        ]
        for (arguments, machine, expected) in cases {
            let result = try Self.kiln(arguments, machine: machine, cache: cache)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.error.hasPrefix(expected), "\(arguments): \(result.error)")
        }
    }
}
