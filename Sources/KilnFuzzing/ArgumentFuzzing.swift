import Foundation
import Kiln

/// The `arguments` target: a case is an argument vector for the `kiln` tool, one argument a
/// line, run as a child process in a scratch folder holding a small graph (`DIR/g.kiln`), a
/// digits-layout CSV (`DIR/d.csv`) and an input (`DIR/x.npy`). `DIR` in an argument names that
/// folder; any other `/` becomes `_`, so no case writes outside it.
///
/// A finding (the calling process traps, so the campaign saves the case): `kiln` dies on a
/// signal, exits with a status other than 0, 1 or ArgumentParser's usage error 64, exits 1
/// without an `error:` line, prints a Swift runtime failure, or prints nothing for
/// `seconds` (then it is killed). A run still printing then (training for many epochs) is
/// stopped and passes.
enum ArgumentFuzzing {
    /// Seconds one run of `kiln` may take.
    static let seconds = 6.0

    /// The subcommands, and options of every subcommand (the last ones unknown or malformed).
    static let subcommands = ["run", "train", "profile", "show", "emit", "export", "bench", "models", "graph", "help", "nosuch"]
    static let options = [
        "--seed", "--weights", "--shape", "--dump-after", "--print-passes", "--no-optimize", "--backend", "--threads",
        "--wait-native", "--input", "--output", "--output-dir", "--check", "--distributed", "--link-gbps",
        "--collective-timeout", "--bucket-kib", "--loss-log", "--data", "--epochs", "--batch-size", "--optimizer", "--lr",
        "--schedule", "--clip-norm", "--clip-value", "--save", "--save-every-epoch", "--resume", "--allow-nonfinite-loss",
        "--train", "--runs", "--json", "--csv", "--svg", "--trace", "--operators", "--peak-gflops", "--bandwidth-gbs",
        "--plan", "--training", "--brief", "--dot", "-o", "--name", "--embed-weights", "--blas", "--max-ram", "--warmup",
        "--filter", "--quick", "--no-such-flag", "-x", "--", "-", "--epochs=", "--lr=-1", "--seed=-1", "-h",
    ]
    /// Values: hostile numbers, words and files.
    static let values = Mutator.interestingNumbers + [
        "", " ", "-", "--", "abc", "1.5", "0x10", "1_000", "+1", "-0", "1e400", "mlp", "mlp-digits", "cnn-digits", "digits",
        "reverse", "DIR/g.kiln", "DIR/d.csv", "DIR/x.npy", "DIR/out.npy", "DIR", "x=DIR/x.npy", "x=1,2", "x=", "=",
        "tcc", "native", "tiered", "adam", "sgd", "cosine", "step", "warmup", "cblas", "builtin", "all", "fold",
    ]

    /// Structured mutations of an argument vector: a value replaced, an option inserted
    /// (with or without a value), an argument dropped or repeated, the subcommand swapped.
    static func mutate(_ bytes: [UInt8], _ mutator: inout Mutator) -> [UInt8] {
        var arguments = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for _ in 0...mutator.below(3) {
            let position = mutator.below(arguments.count + 1)
            switch mutator.below(5) {
            case 0 where position < arguments.count: arguments[position] = values[mutator.below(values.count)]
            case 1:
                var inserted = [options[mutator.below(options.count)]]
                if mutator.below(3) != 0 { inserted.append(values[mutator.below(values.count)]) }
                arguments.insert(contentsOf: inserted, at: position)
            case 2 where position < arguments.count: arguments.remove(at: position)
            case 3 where position < arguments.count: arguments.insert(arguments[position], at: position)
            default:
                if arguments.isEmpty { arguments = [""] }
                arguments[0] = subcommands[mutator.below(subcommands.count)]
            }
        }
        return Array(arguments.joined(separator: "\n").utf8)
    }

    /// Runs `kiln` with the arguments `bytes` holds; traps on a finding (a case the scratch folder
    /// or the child process cannot be set up for is skipped).
    static func run(_ bytes: [UInt8]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-fuzz-arguments-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        guard (try? fixtures(in: folder)) != nil else { return }
        func confined(_ text: Substring) -> String {
            let safe = text.replacingOccurrences(of: "\0", with: "_")
            if safe == "DIR" { return folder.path }
            if safe.hasPrefix("DIR/") { return folder.path + "/" + safe.dropFirst(4).replacingOccurrences(of: "/", with: "_") }
            return safe.replacingOccurrences(of: "/", with: "_")
        }
        let arguments = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map { argument in
            guard let equals = argument.firstIndex(of: "=") else { return confined(argument) }
            return confined(argument[..<equals]) + "=" + confined(argument[argument.index(after: equals)...])
        }
        let process = Process()
        process.executableURL = kilnExecutable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        process.environment = ProcessInfo.processInfo.environment.merging([TensorSizeLimit.environmentVariable: "256M"]) { $1 }
        let output = folder.appendingPathComponent(".stdout"), error = folder.appendingPathComponent(".stderr")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        FileManager.default.createFile(atPath: error.path, contents: nil)
        guard let outputHandle = try? FileHandle(forWritingTo: output), let errorHandle = try? FileHandle(forWritingTo: error) else { return }
        process.standardOutput = outputHandle
        process.standardError = errorHandle
        process.standardInput = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return }
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        let described = "kiln " + arguments.map { "'\($0)'" }.joined(separator: " ")
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let printed = (try? Data(contentsOf: output))?.isEmpty == false
            if !printed { fatalError("hang: \(described) printed nothing in \(seconds) s") }
            return
        }
        process.waitUntilExit()
        let stderr = String(decoding: (try? Data(contentsOf: error)) ?? Data(), as: UTF8.self)
        let status = process.terminationStatus
        if process.terminationReason == .uncaughtSignal { fatalError("crash: \(described) died on signal \(status): \(stderr.suffix(400))") }
        if stderr.contains("Fatal error") || stderr.contains("runtime failure") { fatalError("crash: \(described): \(stderr.suffix(400))") }
        guard [0, 1, 64].contains(status) else { fatalError("\(described) exited \(status): \(stderr.suffix(400))") }
        if status == 1, !stderr.split(separator: "\n").contains(where: { $0.hasPrefix("error: ") }) {
            fatalError("\(described) exited 1 without an error: line: \(stderr.suffix(400))")
        }
    }

    /// The `kiln` executable beside this one.
    static var kilnExecutable: URL {
        (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).deletingLastPathComponent().appendingPathComponent("kiln")
    }

    /// The files the arguments may name.
    static func fixtures(in folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let graph = "graph g {\n  %0 = input() : f32[2,3] name=\"x\"\n  %1 = relu(%0) : f32[2,3] name=\"r\"\n  output \"y\" = %1\n}\n"
        try Data(graph.utf8).write(to: folder.appendingPathComponent("g.kiln"))
        var csv = "label," + (0..<64).map { "p\($0)" }.joined(separator: ",") + "\n"
        for row in 0..<10 { csv += "\(row)," + (0..<64).map { String(($0 * 7 + row) % 17) }.joined(separator: ",") + "\n" }
        try Data(csv.utf8).write(to: folder.appendingPathComponent("d.csv"))
        let npy = NumPyFile.encode(TensorValue(shape: [2, 3], floats: [1, -2, 3, -4, 5, -6]))
        try npy.write(to: folder.appendingPathComponent("x.npy"))
    }
}
