import Foundation
import KilnC
import KilnIR

/// Compiles C with the system compiler (`SystemCompiler`) at `-O3 -march=native -fno-math-errno
/// -fPIC -shared`, plus `-fopenmp` where it links, into a shared object loaded with `dlopen`; the generated
/// code's external symbols (`cblas_sgemm`, libm) resolve against the process.
///
/// Objects go through a content-addressed cache (`NativeCodeCache.standard()`), keyed by the
/// source, the compiler's identity (path and `--version`), the flags and the processor: a second
/// process compiling the same program loads the object without compiling.
public struct NativeBackend: CompilerBackend {
    /// The compiler, or nil where none was found.
    public let compiler: SystemCompiler?
    /// Where compiled objects are kept, or nil for no cache.
    public let cache: NativeCodeCache?

    /// The flags every compile uses (`-fopenmp` is added where the compiler supports it).
    /// `-fno-math-errno`: generated code never reads `errno`, and with it gcc vectorizes the loops
    /// that call `sqrtf` (an optimizer's update, normalizations), which it otherwise keeps scalar
    /// for the errno of a negative argument (Adam's update of a 784x512 weight: 2.3 ms to 0.4).
    public static let flags = ["-O3", "-march=native", "-fno-math-errno", "-fPIC", "-shared"]

    /// A backend over the compiler `SystemCompiler.find(searchPath:)` finds (`$PATH` unless given)
    /// and the standard cache.
    public init(searchPath: [String]? = nil, cache: NativeCodeCache? = NativeCodeCache.standard()) {
        compiler = SystemCompiler.find(searchPath: searchPath)
        self.cache = cache
    }

    public var name: String { "native" }

    /// What a compile found in the cache, for reports.
    public enum Outcome: String, Sendable {
        /// Compiled and stored.
        case compiled
        /// Loaded from the cache without compiling.
        case cacheHit = "cache hit"
    }

    /// The message when no compiler exists.
    public static let missingCompilerMessage =
        "no system C compiler for the native tier (looked for $KILN_CC, else "
        + SystemCompiler.candidates.joined(separator: ", ") + " on PATH)"

    public func compile(source: String, lineOwners: [String?]) throws(KilnError) -> any LoadedModule {
        try compileReporting(source: source, lineOwners: lineOwners).module
    }

    /// Compiles `source` (or loads it from the cache) and says which happened.
    public func compileReporting(
        source: String, lineOwners: [String?]
    ) throws(KilnError) -> (module: any LoadedModule, outcome: Outcome) {
        guard let compiler else { throw .runtime(NativeBackend.missingCompilerMessage) }
        let key = cacheKey(source: source, compiler: compiler)
        if let cache, let path = cache.lookUp(key), let module = try? SharedObject(path: path) {
            return (module, .cacheHit)
        }
        let scratch = cache?.temporaryPath(suffix: "") ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("kiln-native-\(getpid())-\(UUID().uuidString)").path
        let sourcePath = scratch + ".c", objectPath = scratch + ".so"
        defer {
            unlink(sourcePath)
            unlink(objectPath)
        }
        try SafeFile.write(source, to: sourcePath)
        var arguments = NativeBackend.flags
        if compiler.supportsOpenMP { arguments.append("-fopenmp") }
        arguments += ["-o", objectPath, sourcePath, "-lm"]
        let result = try compiler.run(arguments)
        guard result.status == 0 else {
            throw .compile(failure(compilerOutput: result.output, sourcePath: sourcePath, source: source, lineOwners: lineOwners))
        }
        if let cache, let stored = cache.store(key, from: objectPath) {
            return (try SharedObject(path: stored), .compiled)
        }
        return (try SharedObject(path: objectPath), .compiled)  // no cache, or its entry is not ours to replace
    }

    /// The cache key: SHA-256 over the source, the compiler's identity, the flags and the processor.
    func cacheKey(source: String, compiler: SystemCompiler) -> String {
        let identity = [compiler.identity, NativeBackend.flags.joined(separator: " "), MachineBenchmark.cpuName(), source]
        return SHA256.hex(Data(identity.joined(separator: "\u{0}").utf8))
    }

    /// The compile failure of the compiler's first error, located in the generated source like tcc's
    /// (the source file's name reads `<string>`, as in tcc's messages).
    private func failure(compilerOutput: String, sourcePath: String, source: String, lineOwners: [String?]) -> CompileFailure {
        let lines = compilerOutput.replacingOccurrences(of: sourcePath, with: "<string>").split(separator: "\n").map(String.init)
        let message = lines.first { $0.contains("error") } ?? lines.first ?? "the compiler failed without a message"
        return failure(message: message, source: source, lineOwners: lineOwners, context: { SourceContext.lines(of: source, around: $0) })
    }
}
