import KilnIR

/// A parsed `Einsum` equation: one index letter per axis of each operand, and of the output
/// (given after `->`, or implicit: the letters used once, in alphabetical order).
///
/// Kiln lowers the forms that need no diagonal or ellipsis: every letter names one axis of each
/// operand it appears in, and each output letter appears in some operand.
struct EinsumEquation {
    /// The letters of each operand's axes.
    var operands: [[Character]]
    /// The letters of the output's axes.
    var output: [Character]

    /// Parses `equation` for operands of the given ranks; errors are about `node`.
    init(_ equation: String, ranks: [Int], node: ONNXNode) throws(KilnError) {
        let text = equation.filter { $0 != " " }
        guard !text.contains(".") else { throw node.error("equation '\(equation)': ellipsis ('...') is not supported") }
        let sides = text.components(separatedBy: "->")
        guard sides.count <= 2 else { throw node.error("equation '\(equation)' has more than one '->'") }
        operands = sides[0].split(separator: ",", omittingEmptySubsequences: false).map(Array.init)
        for (index, letters) in operands.enumerated() {
            if let bad = letters.first(where: { !($0.isASCII && $0.isLetter) }) {
                throw node.error("equation '\(equation)': '\(bad)' is not an index letter")
            }
            if let repeated = letters.first(where: { letter in letters.filter { $0 == letter }.count > 1 }) {
                throw node.error("equation '\(equation)': index '\(repeated)' repeats in operand \(index) (a diagonal), which is not supported")
            }
        }
        guard operands.count == ranks.count else {
            throw node.error("equation '\(equation)' names \(operands.count) operands; the node has \(ranks.count) inputs")
        }
        for (index, (letters, rank)) in zip(operands, ranks).enumerated() where letters.count != rank {
            throw node.error("equation '\(equation)' gives operand \(index) \(letters.count) indices; its rank is \(rank)")
        }
        let all = operands.flatMap { $0 }
        if sides.count == 2 {
            output = Array(sides[1])
            for letter in output where !all.contains(letter) {
                throw node.error("equation '\(equation)': output index '\(letter)' appears in no operand")
            }
            if let repeated = output.first(where: { letter in output.filter { $0 == letter }.count > 1 }) {
                throw node.error("equation '\(equation)': output index '\(repeated)' repeats")
            }
        } else {
            output = Set(all).filter { letter in all.filter { $0 == letter }.count == 1 }.sorted()
        }
    }

    /// The extent of each letter, checked to agree across operands of the given shapes.
    func extents(_ shapes: [Shape], node: ONNXNode) throws(KilnError) -> [Character: Int] {
        var extents: [Character: Int] = [:]
        for (index, (letters, shape)) in zip(operands, shapes).enumerated() {
            for (axis, letter) in letters.enumerated() {
                if let known = extents[letter], known != shape[axis] {
                    throw node.error("index '\(letter)' is \(known) in an earlier operand but \(shape[axis]) in operand \(index) \(shape)")
                }
                extents[letter] = shape[axis]
            }
        }
        return extents
    }
}
