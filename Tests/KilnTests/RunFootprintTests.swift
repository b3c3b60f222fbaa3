import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `kiln run` holds a large tensor once: seeded inputs are generated where the compiled code
/// reads them and outputs are printed from where it writes them (a relu over 2^28 floats once
/// took 22 s and 6.3 GB: inputs generated as float64, then copied in, the output copied out and
/// converted to float64 to print six values).
@Suite struct RunFootprintTests {
    /// Runs the built `kiln` with `arguments`, its output discarded; returns its exit status and
    /// the peak resident memory the kernel accounted to it, in bytes.
    static func peakResidentBytes(_ arguments: [String]) -> (status: Int32, bytes: Int) {
        let path = Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("kiln").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        guard posix_spawn(&pid, path, &actions, nil, argv, environ) == 0 else { return (-1, 0) }
        var status: Int32 = 0
        var usage = rusage()
        wait4(pid, &status, 0, &usage)
        return ((status >> 8) & 0xFF, usage.ru_maxrss * 1024)
    }

    @Test func aLargeElementwiseRunHoldsItsInputAndOutputOnce() throws {
        let elements = 1 << 26
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-footprint-\(UUID().uuidString).kiln")
        defer { try? FileManager.default.removeItem(at: file) }
        let body = #"  %0 = input() : f32[\#(elements)] name="x"\#n  %1 = relu(%0) : f32[\#(elements)] name="r"\#n  output "y" = %1"#
        try HostileInput.graph(body).write(to: file)
        let (status, peak) = Self.peakResidentBytes(["run", file.path, "--backend", "tcc"])
        #expect(status == 0)
        // The arena's input and output (2 x 256 MiB) and the tool itself; a float64 or a second
        // float32 copy of either tensor would pass 768 MiB.
        #expect(peak < 3 * 4 * elements, "peak resident memory \(peak) bytes")
    }
}
