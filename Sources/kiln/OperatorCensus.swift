import Foundation
import KilnIR

/// `kiln show MODEL.onnx`'s operator table: the ONNX operators and their node counts next to the
/// Kiln operators the import made and theirs.
enum OperatorCensus {
    /// The two columns side by side, most used first, with totals in the headings.
    static func table(onnx: [(op: String, count: Int)], graph: Graph) -> String {
        var kilnCounts: [String: Int] = [:]
        for node in graph.nodes where !node.isLeaf {
            kilnCounts[node.op, default: 0] += 1
        }
        let kiln = kilnCounts.map { (op: $0.key, count: $0.value) }.sorted { ($1.count, $0.op) < ($0.count, $1.op) }
        func cell(_ entry: (op: String, count: Int)?) -> String {
            guard let entry else { return "" }
            return "  " + entry.op.padding(toLength: max(24, entry.op.count + 1), withPad: " ", startingAt: 0) + String(entry.count)
        }
        let left = ["ONNX operators (\(onnx.reduce(0) { $0 + $1.count }) nodes)"] + onnx.map(cell)
        let right = ["Kiln operators (\(kiln.reduce(0) { $0 + $1.count }) nodes)"] + kiln.map(cell)
        let width = (left.map(\.count).max() ?? 0) + 4
        return (0..<max(left.count, right.count)).map { row in
            let first = row < left.count ? left[row] : ""
            let second = row < right.count ? right[row] : ""
            return (first.padding(toLength: width, withPad: " ", startingAt: 0) + second).trimmingTrailingSpaces + "\n"
        }.joined()
    }
}

extension String {
    /// The string without trailing spaces.
    fileprivate var trimmingTrailingSpaces: String {
        var result = self
        while result.last == " " { result.removeLast() }
        return result
    }
}
