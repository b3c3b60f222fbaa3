import Foundation
import KilnIR

/// A compiled C translation unit loaded into this process.
public protocol LoadedModule: AnyObject, Sendable {
    /// The address of the global function `name`, or nil when the module has none.
    func symbol(_ name: String) -> UnsafeRawPointer?
}

/// A C compiler that turns source text into code in this process.
///
/// `TCCBackend` (libtcc, in process, no files) is the default; a system-compiler backend can
/// serve where the speed of the generated code matters more than compile time.
public protocol CompilerBackend: Sendable {
    /// A short name for reports (`tcc`).
    var name: String { get }

    /// Compiles `source` and returns the loaded code. A compiler error becomes
    /// `KilnError.compile` with the message and the generated lines around it;
    /// `lineOwners` names the node each line belongs to.
    func compile(source: String, lineOwners: [String?]) throws(KilnError) -> any LoadedModule
}

extension CompilerBackend {
    /// Builds the compile failure for `message`, locating `<string>:LINE:` in it.
    func failure(message: String, source: String, lineOwners: [String?], context: (Int) -> [String]) -> CompileFailure {
        var line: Int?
        if let range = message.range(of: #":(\d+):"#, options: .regularExpression) {
            line = Int(message[range].dropFirst().dropLast())
        }
        let owner = line.flatMap { $0 >= 1 && $0 <= lineOwners.count ? lineOwners[$0 - 1] : nil }
        return CompileFailure(
            compilerMessage: message, line: line, context: line.map(context) ?? [], node: owner)
    }
}

