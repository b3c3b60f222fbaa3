/// An aligned text table: a header row, a rule, and rows; numeric-looking cells, and every cell
/// of the columns in `rightAligned`, align right.
public struct TextTable {
    /// Column titles.
    public var header: [String]
    /// The rows, each with one cell per column.
    public var rows: [[String]] = []
    /// Columns aligned right whatever their cells hold (numbers with units: `1.75M`).
    public var rightAligned: Set<Int>

    /// Creates a table with `header`.
    public init(header: [String], rightAligned: Set<Int> = []) {
        self.header = header
        self.rightAligned = rightAligned
    }

    /// Appends a row.
    public mutating func append(_ row: [String]) { rows.append(row) }

    /// The table as text.
    public func render() -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return rightAligned.contains(column) || TextTable.isNumeric(cell) ? pad + cell : cell + pad
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }

    static func isNumeric(_ cell: String) -> Bool {
        !cell.isEmpty && cell.allSatisfy { $0.isNumber || ",.%-+eE×".contains($0) } && cell.first!.isNumber
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var result = self
        while result.last == " " { result.removeLast() }
        return result
    }
}

/// `1234567` → `1,234,567`.
public func groupedDigits(_ value: Int) -> String {
    let digits = String(abs(value))
    var result = ""
    for (index, character) in digits.enumerated() {
        if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
        result.append(character)
    }
    return value < 0 ? "-" + result : result
}
