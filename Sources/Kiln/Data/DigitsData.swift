import Foundation
import KilnIR

/// The handwritten-digits data set Kiln ships in `data/digits/`: 1,797 8×8 images of pixels 0..16,
/// one CSV row each (`label,p0,...,p63`, with a header line).
///
/// The split is fixed so that figures are comparable: row i (0-based, header not counted) is a test
/// row when i % 5 == 0 (360 rows), otherwise a training row (1,437 rows). Pixels are scaled by 1/16.
public enum DigitsData {
    /// Loads `--data ARGUMENT`: `digits` (the shipped copy, found from any working directory) or a
    /// path to a CSV of the same layout.
    public static func load(_ argument: String) throws(KilnError) -> (train: LabeledDataset, test: LabeledDataset) {
        try loadCSV(argument == "digits" ? try shippedPath() : argument)
    }

    /// The path of the shipped `digits.csv`: `$KILN_DATA/digits`, `./data/digits`, next to the
    /// executable's package, or the source checkout.
    public static func shippedPath() throws(KilnError) -> String {
        var candidates: [String] = []
        if let root = ProcessInfo.processInfo.environment["KILN_DATA"] { candidates.append(root + "/digits/digits.csv") }
        candidates.append(FileManager.default.currentDirectoryPath + "/data/digits/digits.csv")
        var executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(executable.appendingPathComponent("data/digits/digits.csv").path)
            executable.deleteLastPathComponent()
        }
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../data/digits/digits.csv").standardized.path
        candidates.append(checkout)
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
        throw .io(path: "digits", message: "cannot find the shipped data/digits/digits.csv (set KILN_DATA to the folder holding digits/)")
    }

    /// Parses a digits-layout CSV and splits it.
    public static func loadCSV(_ path: String) throws(KilnError) -> (train: LabeledDataset, test: LabeledDataset) {
        try parse(try SafeFile.readText(path), path: path)
    }

    /// Parses CSV text of the digits layout: a header, then `label,p0,...,p63` rows.
    public static func parse(_ text: String, path: String = "<text>", classCount: Int = 10) throws(KilnError) -> (train: LabeledDataset, test: LabeledDataset) {
        let lines = text.split(whereSeparator: \.isNewline).filter { !$0.allSatisfy(\.isWhitespace) }
        guard let header = lines.first, header.hasPrefix("label") else {
            throw .io(path: path, message: "line 1: expected the header 'label,p0,...'")
        }
        let featureCount = header.split(separator: ",").count - 1
        guard featureCount > 0 else { throw .io(path: path, message: "line 1: the header names no pixel columns") }
        var train = LabeledDataset(features: [], labels: [], featureCount: featureCount, classCount: classCount)
        var test = train
        for (offset, line) in lines.dropFirst().enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            let lineNumber = offset + 2
            guard fields.count == featureCount + 1 else {
                throw .io(path: path, message: "line \(lineNumber): expected \(featureCount + 1) fields, found \(fields.count)")
            }
            guard let label = Int(fields[0].trimmingCharacters(in: .whitespaces)) else {
                throw .io(path: path, message: "line \(lineNumber): the label '\(fields[0])' is not an integer")
            }
            guard (0..<classCount).contains(label) else {
                throw .io(path: path, message: "line \(lineNumber): label \(label) is out of range 0..<\(classCount)")
            }
            var pixels: [Float] = []
            pixels.reserveCapacity(featureCount)
            for (column, field) in fields.dropFirst().enumerated() {
                guard let value = Float(field.trimmingCharacters(in: .whitespaces)), value.isFinite else {
                    throw .io(path: path, message: "line \(lineNumber), column \(column + 2): '\(field)' is not a number")
                }
                pixels.append(value / 16)
            }
            if offset % 5 == 0 {
                test.features += pixels
                test.labels.append(label)
            } else {
                train.features += pixels
                train.labels.append(label)
            }
        }
        guard !train.labels.isEmpty, !test.labels.isEmpty else {
            throw .io(path: path, message: "needs at least 2 data rows to split into training and test rows")
        }
        return (train, test)
    }
}
