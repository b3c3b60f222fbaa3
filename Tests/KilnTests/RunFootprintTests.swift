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
    /// its peak resident memory in bytes, the largest `VmHWM` read from `/proc/PID/status` while
    /// it runs (polled every millisecond; the high-water mark only grows, so a copy of a large
    /// tensor, which takes tens of milliseconds, cannot fall between two reads). Not `wait4`'s
    /// `ru_maxrss`: `posix_spawn` starts the child in the parent's address space, and the kernel
    /// records that space's high-water mark at the child's `exec`, so a large test process would
    /// count as the child's.
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
        var status: Int32 = 0, peak = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            peak = max(peak, highWaterMark(of: pid))
            usleep(1000)
        }
        return ((status >> 8) & 0xFF, peak)
    }

    /// The `VmHWM` of process `pid` in bytes (0 once its memory is released).
    static func highWaterMark(of pid: pid_t) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return 0 }
        return kilobytes * 1024
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
