import COpenBLAS
import CTCC
import Foundation
import KilnC
import KilnIR

/// Compiles C in process with libtcc: no temporary files, no external compiler.
///
/// libtcc keeps global state, so every use of it is serialized behind one lock. The generated
/// code declares the libm functions and `cblas_sgemm` it uses; this backend binds their
/// addresses with `tcc_add_symbol`.
public struct TCCBackend: CompilerBackend {
    public var name: String { "tcc" }

    /// Preprocessor symbols defined (as 1) before the source is compiled.
    public var defines: [String]

    /// Creates the backend; `defines` are preprocessor symbols to define (as 1).
    public init(defines: [String] = []) { self.defines = defines }

    private static let lock = NSLock()

    /// The folder holding `libtcc1.a`, searched in the usual Debian and source-build places.
    static let libraryPath: String? = {
        let candidates = [
            "/usr/lib/x86_64-linux-gnu/tcc", "/usr/lib/aarch64-linux-gnu/tcc", "/usr/lib/tcc",
            "/usr/local/lib/tcc", "/usr/lib64/tcc",
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/libtcc1.a") }
    }()

    public func compile(source: String, lineOwners: [String?]) throws(KilnError) -> any LoadedModule {
        TCCBackend.lock.lock()
        defer { TCCBackend.lock.unlock() }
        guard let state = tcc_new() else { throw .runtime("libtcc could not create a compilation state") }
        let messages = MessageSink()
        let opaque = Unmanaged.passUnretained(messages).toOpaque()
        tcc_set_error_func(state, opaque) { opaque, message in
            guard let opaque, let message else { return }
            Unmanaged<MessageSink>.fromOpaque(opaque).takeUnretainedValue().messages.append(String(cString: message))
        }
        if let path = TCCBackend.libraryPath { tcc_set_lib_path(state, path) }
        tcc_set_output_type(state, TCC_OUTPUT_MEMORY)
        for symbol in defines where symbol.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) { tcc_define_symbol(state, symbol, "1") }
        if tcc_compile_string(state, source) != 0 {
            let message = messages.messages.first { $0.contains("error") } ?? messages.messages.first ?? "unknown error"
            tcc_delete(state)
            throw .compile(failure(message: message, source: source, lineOwners: lineOwners, context: { SourceContext.lines(of: source, around: $0) }))
        }
        var failures = kiln_tcc_add_libc_symbols(state)
        failures += tcc_add_symbol(state, "cblas_sgemm", kiln_cblas_sgemm_address()) != 0 ? 1 : 0
        if failures != 0 || kiln_tcc_relocate(state) < 0 {
            let message = messages.messages.joined(separator: "; ")
            tcc_delete(state)
            throw .compile(CompileFailure(compilerMessage: "linking failed: \(message)", line: nil, context: [], node: nil))
        }
        return TCCModule(state: state)
    }
}

/// Collects libtcc's error and warning messages during one compile.
private final class MessageSink: @unchecked Sendable {
    var messages: [String] = []
}

/// Code compiled by libtcc; freed with its state.
final class TCCModule: LoadedModule, @unchecked Sendable {
    private let state: OpaquePointer

    init(state: OpaquePointer) { self.state = state }

    deinit {
        TCCBackend.lockedDelete(state)
    }

    func symbol(_ name: String) -> UnsafeRawPointer? {
        tcc_get_symbol(state, name).map { UnsafeRawPointer($0) }
    }
}

extension TCCBackend {
    fileprivate static func lockedDelete(_ state: OpaquePointer) {
        lock.lock()
        defer { lock.unlock() }
        tcc_delete(state)
    }
}
