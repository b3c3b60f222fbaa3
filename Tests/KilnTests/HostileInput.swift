import Foundation
import Testing

/// Runs the `kiln` tool on files written for one test, as the hostile-input suites need: each
/// file in a fresh folder, `KILN_MAX_TENSOR_BYTES` fixed at 1 GiB so that messages naming the
/// tensor size limit do not depend on the machine's memory, and the folder's path written as
/// `DIR` in what the tool prints.
enum HostileInput {
    /// The tensor size limit the tool runs with.
    static let limit = "1G"

    /// Writes `files` (name and contents), runs `kiln` with `arguments` (in which `DIR` stands
    /// for the folder), and returns the status and output with the folder's path as `DIR`.
    static func kiln(_ arguments: [String], files: [String: Data] = [:]) throws -> CommandLineTests.Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, contents) in files { try contents.write(to: directory.appendingPathComponent(name)) }
        let result = try CommandLineTests.kiln(
            arguments.map { $0.replacingOccurrences(of: "DIR", with: directory.path) },
            environment: ["KILN_MAX_TENSOR_BYTES": limit], in: directory)
        func text(_ output: String) -> String { output.replacingOccurrences(of: directory.path, with: "DIR") }
        return CommandLineTests.Result(status: result.status, output: text(result.output), error: text(result.error))
    }

    /// A `.kiln` file of one graph `g` with `body` as its lines.
    static func graph(_ body: String) -> Data { Data("graph g {\n\(body)\n}\n".utf8) }

    /// Expects `result` to be exactly one `error:` line, `line`, and exit code 1.
    static func expectError(_ result: CommandLineTests.Result, _ line: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 1, sourceLocation: sourceLocation)
        #expect(result.error == "error: " + line + "\n", sourceLocation: sourceLocation)
    }
}
