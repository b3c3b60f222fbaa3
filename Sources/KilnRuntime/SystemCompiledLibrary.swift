import Foundation
import KilnIR

/// A C source compiled by the system compiler (`SystemCompiler.find()`, with `-O2 -shared -fPIC
/// -pthread`) into a temporary shared object, loaded, and one symbol of it. Used for the machine
/// benchmark, whose ceiling must not depend on how Kiln itself was built.
final class SystemCompiledLibrary {
    /// The address of the symbol asked for.
    let address: UnsafeMutableRawPointer
    /// The compiler that built it (`cc`).
    let compiler: String
    private var library: SharedObject?

    /// Compiles `source`, loads it and looks up `symbol`; the temporary files are removed.
    init(source: String, symbol: String) throws(KilnError) {
        guard let compiler = SystemCompiler.find() else {
            throw .runtime(
                "no C compiler (\(SystemCompiler.candidates.joined(separator: ", ")) on PATH, or KILN_CC) to build the "
                    + "bandwidth benchmark; hint: install cc, or give --bandwidth-gbs")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let sourceFile = folder.appendingPathComponent("bench.c"), libraryFile = folder.appendingPathComponent("bench.so")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try source.write(to: sourceFile, atomically: true, encoding: .utf8)
        } catch {
            throw .io(path: folder.path, message: "cannot write the benchmark source: \(error.localizedDescription)")
        }
        let result = try compiler.run(["-O2", "-shared", "-fPIC", "-pthread", "-o", libraryFile.path, sourceFile.path])
        guard result.status == 0 else {
            throw .runtime("\(compiler.name) did not build the bandwidth benchmark (exit \(result.status)): \(result.output)")
        }
        let library = try SharedObject(path: libraryFile.path)
        guard let address = library.symbol(symbol) else { throw .runtime("the benchmark library lacks '\(symbol)'") }
        self.library = library
        self.address = UnsafeMutableRawPointer(mutating: address)
        self.compiler = compiler.name
    }

    /// Unloads the library.
    func close() { library = nil }
}
