import Foundation
import KilnIR

/// The PNG of a roofline SVG, drawn by `rsvg-convert` (librsvg) when it is on the PATH.
enum RooflinePNG {
    /// The `rsvg-convert` executable on the PATH, if any.
    static var converter: String? {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return folders.map { $0 + "/rsvg-convert" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The PNG path next to `svgPath`: its extension replaced by `.png`.
    static func path(besides svgPath: String) -> String {
        URL(fileURLWithPath: svgPath).deletingPathExtension().appendingPathExtension("png").path
    }

    /// Renders the SVG file at `svgPath` and writes the PNG beside it; returns the PNG's path, or
    /// nil when no converter is installed.
    static func write(besides svgPath: String) throws -> String? {
        guard let converter else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: converter)
        process.arguments = ["--format", "png", "--background-color", "white", svgPath]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let png = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw KilnError.io(path: svgPath, message: "rsvg-convert could not draw the chart: \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        let path = path(besides: svgPath)
        try SafeFile.write(png, to: path)
        return path
    }
}
