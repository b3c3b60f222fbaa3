import Foundation
import KilnIR
import KilnOps

/// The choices `--tune` measured, kept in one text file beside the native-code cache
/// (`kernel-tuning.txt` in `NativeCodeCache.standard()`'s folder), one line per kernel shape and
/// machine setting: tier, thread count, OpenBLAS core type, shape key, then each candidate's median
/// time (`im2col+gemm=1402.5`). A shape measured once is not measured again for the same setting.
///
/// The file is read as untrusted text: a line that does not parse (wrong field count, an unknown
/// algorithm, a time that is not a finite positive number) is skipped, so a damaged file costs a
/// new measurement, never an error. Writes replace the whole file through `SafeFile` (a temporary
/// name, renamed into place).
public struct KernelTuningCache: Sendable {
    /// The file.
    public let path: String

    /// What a measurement depends on besides the shape.
    public struct Setting: Sendable, Hashable {
        /// The compiler of the timed code (`native`, `tcc`).
        public var tier: Tier
        /// Kiln's and OpenBLAS's thread count.
        public var threads: Int
        /// OpenBLAS's kernel family (`Haswell`).
        public var core: String

        /// Creates a setting.
        public init(tier: Tier, threads: Int, core: String = BLASThreads.core) {
            self.tier = tier
            self.threads = threads
            self.core = core
        }

        var fields: [String] { [tier.rawValue, String(threads), core] }
    }

    /// The cache in `directory` (created on the first store).
    public init(directory: String) { path = directory + "/kernel-tuning.txt" }

    /// The cache beside the standard native-code cache; nil when there is none.
    public static func standard() -> KernelTuningCache? {
        NativeCodeCache.standard().map { KernelTuningCache(directory: $0.directory) }
    }

    /// Every stored choice for `setting`, by shape key.
    public func choices(for setting: Setting) -> [String: TunedKernels.Choice] {
        var result: [String: TunedKernels.Choice] = [:]
        for (entrySetting, key, choice) in entries() where entrySetting == setting.fields { result[key] = choice }
        return result
    }

    /// Adds `choices` for `setting`, replacing stored ones of the same shapes.
    public func store(_ choices: [String: TunedKernels.Choice], for setting: Setting) throws(KilnError) {
        guard !choices.isEmpty else { return }
        var lines: [String] = []
        for (entrySetting, key, choice) in entries() where entrySetting != setting.fields || choices[key] == nil {
            lines.append(Self.line(entrySetting, key, choice))
        }
        for key in choices.keys.sorted() { lines.append(Self.line(setting.fields, key, choices[key]!)) }
        try SafeFile.createDirectory((path as NSString).deletingLastPathComponent)
        try SafeFile.write(lines.joined(separator: "\n") + "\n", to: path)
    }

    private static func line(_ setting: [String], _ key: String, _ choice: TunedKernels.Choice) -> String {
        (setting + [key] + [choice.microseconds.map { "\($0.0.rawValue)=\($0.1)" }.joined(separator: ",")])
            .joined(separator: "\t")
    }

    /// The parsable lines of the file.
    private func entries() -> [(setting: [String], key: String, choice: TunedKernels.Choice)] {
        guard NativeCodeCache.isRegularFile(path), let text = try? SafeFile.readText(path) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 5, Tier(rawValue: fields[0]) != nil, Int(fields[1]) != nil else { return nil }
            var times: [(KernelAlgorithm, Double)] = []
            for item in fields[4].split(separator: ",") {
                let parts = item.split(separator: "=")
                guard parts.count == 2, let algorithm = KernelAlgorithm(rawValue: String(parts[0])),
                      let time = Double(parts[1]), time.isFinite, time > 0 else { return nil }
                times.append((algorithm, time))
            }
            guard let choice = TunedKernels.Choice(microseconds: times) else { return nil }
            return (Array(fields[0..<3]), fields[3], choice)
        }
    }
}
