import Foundation

/// Runs a fuzz target for a bounded time in child processes, so that a trap or a hang in Kiln
/// is a finding rather than the end of the run.
///
/// The parent starts `kiln-fuzz --child` on a batch of case indices; before each case the child
/// writes the case (its index, then its bytes) to a file, so when the child dies on a signal,
/// or that file stays unchanged longer than the hang limit (the parent then kills the child),
/// the parent knows the input and saves it to the findings folder. A case that throws an error
/// is the expected answer to bad input.
public struct FuzzCampaign {
    /// What one campaign found.
    public struct Finding: Sendable, CustomStringConvertible {
        /// `crash` or `hang`.
        public var kind: String
        /// The case's index in the run.
        public var index: Int
        /// Where the input was saved.
        public var path: String
        /// The child's exit status or signal.
        public var detail: String
        public var description: String { "\(kind): case \(index), input saved to \(path) (\(detail))" }
    }

    /// The target fuzzed.
    public var target: FuzzTarget
    /// The folder of seed inputs.
    public var corpus: URL
    /// Where findings are written (`<findings>/<target>/`).
    public var findings: URL
    /// The run's seed.
    public var seed: UInt64
    /// Seconds the campaign runs.
    public var seconds: Double
    /// Seconds one case may run before it counts as a hang.
    public var hangSeconds: Double
    /// The `kiln-fuzz` executable the children run.
    public var executable: URL

    public init(target: FuzzTarget, corpus: URL, findings: URL, seed: UInt64, seconds: Double, hangSeconds: Double, executable: URL) {
        self.target = target
        self.corpus = corpus
        self.findings = findings
        self.seed = seed
        self.seconds = seconds
        self.hangSeconds = hangSeconds
        self.executable = executable
    }

    /// Runs the campaign; returns the number of cases run and what was found.
    public func run() throws -> (cases: Int, findings: [Finding]) {
        let deadline = Date().addingTimeInterval(seconds)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let current = scratch.appendingPathComponent("current")
        var next = 0
        var found: [Finding] = []
        while Date() < deadline {
            try? FileManager.default.removeItem(at: current)
            let child = Process()
            child.executableURL = executable
            child.arguments = [
                "--child", target.rawValue, "--corpus", corpus.path, "--seed", String(seed), "--start", String(next),
                "--until", String(deadline.timeIntervalSince1970), "--current", current.path,
            ]
            child.standardOutput = FileHandle.nullDevice
            child.standardError = FileHandle.nullDevice
            try child.run()
            var hung = false
            var lastChange = Date()
            var lastStamp: Date?
            while child.isRunning {
                usleep(50_000)
                let stamp = (try? FileManager.default.attributesOfItem(atPath: current.path))?[.modificationDate] as? Date
                if stamp != lastStamp { lastStamp = stamp; lastChange = Date() }
                if Date().timeIntervalSince(lastChange) > hangSeconds {
                    hung = true
                    kill(child.processIdentifier, SIGKILL)
                }
            }
            child.waitUntilExit()
            let record = (try? Data(contentsOf: current)).map([UInt8].init) ?? []
            let index = record.count >= 8 ? record.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) } : next
            let normal = !hung && child.terminationReason == .exit && child.terminationStatus == 0
            if normal {
                next = Swift.max(next, index + 1)
                if child.terminationStatus == 0 && record.isEmpty { break }
                continue
            }
            let kind = hung ? "hang" : "crash"
            let detail = hung ? "no progress for \(hangSeconds) s"
                : child.terminationReason == .uncaughtSignal ? "signal \(child.terminationStatus)" : "exit \(child.terminationStatus)"
            found.append(try save(Array(record.dropFirst(8)), kind: kind, index: index, detail: detail))
            next = index + 1
        }
        return (next, found)
    }

    func save(_ input: [UInt8], kind: String, index: Int, detail: String) throws -> Finding {
        let folder = findings.appendingPathComponent(target.rawValue)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("\(kind)-seed\(seed)-case\(index).\(target.rawValue)")
        try Data(input).write(to: file)
        return Finding(kind: kind, index: index, path: file.path, detail: detail)
    }

    /// The child's side: runs cases from `start` until the clock passes `until`, writing each
    /// case's index to `current` before deriving the case (so a fault in the mutator is not
    /// blamed on the previous case) and the case itself before running it.
    public static func runChild(target: FuzzTarget, corpus: URL, seed: UInt64, start: Int, until: Double, current: URL) throws {
        let inputs = FuzzCorpus(target: target, folder: corpus)
        var index = start
        while Date().timeIntervalSince1970 < until {
            let header = (0..<8).map { UInt8(truncatingIfNeeded: index >> (8 * $0)) }
            try Data(header).write(to: current)
            let input = inputs.input(index, seed: seed)
            try Data(header + input).write(to: current)
            target.run(Data(input))
            index += 1
        }
    }
}
