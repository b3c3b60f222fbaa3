import Foundation
import KilnIR

/// Where `kiln run` writes the outputs: `--output NAME=FILE.npy` (repeatable; `FILE.npy` alone
/// names the first output) and `--output-dir DIR` (every output as `DIR/NAME.npy`).
enum OutputFiles {
    /// Each output to write and its path, in the order given (`--output` first), or an error
    /// naming an unknown output, an output given twice, or a missing directory.
    static func destinations(_ arguments: [String], directory: String?, outputs: [String]) throws(KilnError) -> [(String, String)] {
        var result: [(String, String)] = []
        for argument in arguments {
            var name = outputs.first ?? ""
            var path = argument
            if let equals = argument.firstIndex(of: "="), !argument.hasSuffix("=") {
                name = String(argument[..<equals])
                path = String(argument[argument.index(after: equals)...])
            }
            guard outputs.contains(name) else {
                let known = outputs.map { "'\($0)'" }.joined(separator: ", ")
                throw .invalidArgument("the model has no output named '\(name)' (its outputs: \(known))")
            }
            guard !result.contains(where: { $0.0 == name }) else { throw .invalidArgument("--output gives output '\(name)' twice") }
            result.append((name, path))
        }
        guard let directory else { return result }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .invalidArgument("--output-dir \(directory) is not a directory")
        }
        for name in outputs where !result.contains(where: { $0.0 == name }) {
            result.append((name, (directory as NSString).appendingPathComponent(fileName(name) + ".npy")))
        }
        return result
    }

    /// `name` as a file name: characters other than letters, digits, `.`, `-` and `_` become `_`
    /// (ONNX output names may hold `/` or `:`).
    static func fileName(_ name: String) -> String {
        let safe = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "_" })
        return safe.isEmpty || safe.allSatisfy({ $0 == "." }) ? "_" + safe : safe
    }
}
