import Foundation
import KilnIR

/// A C source compiled by the system compiler (`cc`, else `clang` or `gcc`, with `-O2 -shared
/// -fPIC -pthread`) into a temporary shared object, loaded with `dlopen`, and one symbol of it.
/// Used for the machine benchmark, whose ceiling must not depend on how Kiln itself was built.
final class SystemCompiledLibrary {
    /// The address of the symbol asked for.
    let address: UnsafeMutableRawPointer
    /// The compiler that built it (`cc`).
    let compiler: String
    private var handle: UnsafeMutableRawPointer?

    /// Compiles `source`, loads it and looks up `symbol`; the temporary files are removed.
    init(source: String, symbol: String) throws(KilnError) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let sourceFile = folder.appendingPathComponent("bench.c"), library = folder.appendingPathComponent("bench.so")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try source.write(to: sourceFile, atomically: true, encoding: .utf8)
        } catch {
            throw .io(path: folder.path, message: "cannot write the benchmark source: \(error.localizedDescription)")
        }
        var failures: [String] = []
        var built: String?
        for compiler in ["cc", "clang", "gcc"] {
            let arguments = [compiler, "-O2", "-shared", "-fPIC", "-pthread", "-o", library.path, sourceFile.path]
            if let failure = SystemCompiledLibrary.run(arguments) {
                failures.append(failure)
            } else {
                built = compiler
                break
            }
        }
        guard let compiler = built, let handle = dlopen(library.path, RTLD_NOW) else {
            throw .runtime(
                "no C compiler built the bandwidth benchmark (\(failures.joined(separator: "; "))); "
                    + "hint: install cc, or give --bandwidth-gbs")
        }
        guard let address = dlsym(handle, symbol) else {
            dlclose(handle)
            throw .runtime("the benchmark library lacks '\(symbol)'")
        }
        self.handle = handle
        self.address = address
        self.compiler = compiler
    }

    /// Unloads the library.
    func close() {
        if let handle { dlclose(handle) }
        handle = nil
    }

    deinit { close() }

    /// Runs `arguments` through `/usr/bin/env`; nil on success, else what went wrong.
    private static func run(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return "\(arguments[0]): \(error.localizedDescription)"
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            return "\(arguments[0]) exited with \(process.terminationStatus): \(message.trimmingCharacters(in: .whitespacesAndNewlines))"
        }
        return nil
    }
}
