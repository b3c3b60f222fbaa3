import Foundation
import KilnIR

/// The system C compiler, found at run time: `$KILN_CC` when set (a path, or a name looked up on
/// the search path; a name that finds nothing means no compiler), else the first of `cc`, `gcc`,
/// `clang` on the search path (`$PATH` unless given, so tests can hide the compiler).
public struct SystemCompiler: Sendable, Hashable {
    /// The compiler's executable.
    public let path: String

    /// The compiler names tried in order when `KILN_CC` is not set.
    public static let candidates = ["cc", "gcc", "clang"]

    /// The compiler `environment` and `searchPath` lead to, or nil when there is none.
    public static func find(
        searchPath: [String]? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> SystemCompiler? {
        let folders = searchPath ?? (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        let names = environment["KILN_CC"].map { [$0] } ?? candidates
        for name in names where !name.isEmpty {
            if name.contains("/") {
                if FileManager.default.isExecutableFile(atPath: name) { return SystemCompiler(path: name) }
                continue
            }
            for folder in folders where !folder.isEmpty {
                let path = folder + "/" + name
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                   FileManager.default.isExecutableFile(atPath: path) {
                    return SystemCompiler(path: path)
                }
            }
        }
        return nil
    }

    /// The compiler's name for messages (`cc`).
    public var name: String { URL(fileURLWithPath: path).lastPathComponent }

    /// What identifies the compiler's code generation: its resolved path and `--version` output
    /// (asked once per process and compiler).
    public var identity: String {
        SystemCompiler.memo.value(for: "identity " + path) {
            let resolved = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? path
            let version = (try? run(["--version"]))?.output ?? "unknown version"
            return resolved + "\n" + version
        }
    }

    /// Whether `-fopenmp` compiles and links a shared object (probed once per process and compiler).
    public var supportsOpenMP: Bool {
        SystemCompiler.memo.value(for: "openmp " + path) {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-openmp-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let source = folder.appendingPathComponent("probe.c"), library = folder.appendingPathComponent("probe.so")
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try "#include <omp.h>\nint kiln_probe(void) { return omp_get_max_threads(); }\n"
                    .write(to: source, atomically: true, encoding: .utf8)
                return try run(["-fopenmp", "-shared", "-fPIC", "-o", library.path, source.path]).status == 0 ? "yes" : "no"
            } catch {
                return "no"
            }
        } == "yes"
    }

    /// Runs the compiler with `arguments`; its exit status and what it printed (stdout and stderr).
    public func run(_ arguments: [String]) throws(KilnError) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw .runtime("cannot run the C compiler \(path): \(error.localizedDescription)")
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private static let memo = Memo()
}

/// Strings computed once per process, by key, under a lock.
private final class Memo: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: String] = [:]

    func value(for key: String, _ compute: () -> String) -> String {
        lock.lock()
        if let value = values[key] {
            lock.unlock()
            return value
        }
        lock.unlock()
        let value = compute()
        lock.lock()
        defer { lock.unlock() }
        values[key] = value
        return value
    }
}
