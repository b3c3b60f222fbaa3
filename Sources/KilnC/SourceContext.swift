/// Shows generated source around a line, for compiler errors.
public enum SourceContext {
    /// The 1-based lines `line - radius ... line + radius` of `source`, each prefixed with its
    /// number, the line itself marked with `>`.
    public static func lines(of source: String, around line: Int, radius: Int = 2) -> [String] {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        guard line >= 1, line <= lines.count else { return [] }
        return (max(1, line - radius)...min(lines.count, line + radius)).map { number in
            let marker = number == line ? ">" : " "
            let label = String(number)
            return "\(marker) \(String(repeating: " ", count: max(0, 5 - label.count)))\(label) | \(lines[number - 1])"
        }
    }
}
