import Foundation
import KilnIR
import KilnOps

/// A row-major float64 matrix for computing expected values by hand in tests, independently of
/// Kiln's operators.
struct ReferenceMatrix: Equatable {
    var rows: Int
    var columns: Int
    var values: [Double]

    init(rows: Int, columns: Int, values: [Double]) {
        precondition(values.count == rows * columns)
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// Matrix `index` of a tensor `[..., rows, columns]` (its leading axes flattened).
    init(_ tensor: ReferenceTensor, matrix index: Int = 0) {
        let dimensions = tensor.shape.dimensions
        rows = dimensions.count >= 2 ? dimensions[dimensions.count - 2] : 1
        columns = dimensions.last ?? 1
        values = Array(tensor.values[index * rows * columns..<(index + 1) * rows * columns])
    }

    subscript(row: Int, column: Int) -> Double { values[row * columns + column] }

    static func * (a: ReferenceMatrix, b: ReferenceMatrix) -> ReferenceMatrix {
        precondition(a.columns == b.rows)
        var result = [Double](repeating: 0, count: a.rows * b.columns)
        for i in 0..<a.rows {
            for j in 0..<b.columns {
                for k in 0..<a.columns { result[i * b.columns + j] += a[i, k] * b[k, j] }
            }
        }
        return ReferenceMatrix(rows: a.rows, columns: b.columns, values: result)
    }

    static func + (a: ReferenceMatrix, b: ReferenceMatrix) -> ReferenceMatrix {
        precondition(a.rows == b.rows && a.columns == b.columns)
        return ReferenceMatrix(rows: a.rows, columns: a.columns, values: zip(a.values, b.values).map { $0 + $1 })
    }

    var transposed: ReferenceMatrix {
        ReferenceMatrix(rows: columns, columns: rows, values: (0..<columns).flatMap { j in (0..<rows).map { self[$0, j] } })
    }

    func map(_ transform: (Double) -> Double) -> ReferenceMatrix {
        ReferenceMatrix(rows: rows, columns: columns, values: values.map(transform))
    }

    /// Adds `bias` to every row.
    func addingRow(_ bias: [Double]) -> ReferenceMatrix {
        ReferenceMatrix(rows: rows, columns: columns, values: values.enumerated().map { $1 + bias[$0 % columns] })
    }

    /// Columns `range`.
    func columns(_ range: Range<Int>) -> ReferenceMatrix {
        ReferenceMatrix(rows: rows, columns: range.count, values: (0..<rows).flatMap { i in range.map { self[i, $0] } })
    }

    /// Row `index` as a 1 × columns matrix.
    func row(_ index: Int) -> ReferenceMatrix {
        ReferenceMatrix(rows: 1, columns: columns, values: Array(values[index * columns..<(index + 1) * columns]))
    }

    /// The matrices side by side.
    static func sideBySide(_ parts: [ReferenceMatrix]) -> ReferenceMatrix {
        let rows = parts[0].rows
        let values = (0..<rows).flatMap { i in parts.flatMap { part in (0..<part.columns).map { part[i, $0] } } }
        return ReferenceMatrix(rows: rows, columns: parts.reduce(0) { $0 + $1.columns }, values: values)
    }

    /// Softmax of every row over the entries where `allowed(row, column)` holds (0 elsewhere).
    func softmaxRows(allowed: (Int, Int) -> Bool = { _, _ in true }) -> ReferenceMatrix {
        var result = [Double](repeating: 0, count: values.count)
        for i in 0..<rows {
            let kept = (0..<columns).filter { allowed(i, $0) }
            let maximum = kept.map { self[i, $0] }.max() ?? 0
            let total = kept.reduce(0) { $0 + Foundation.exp(self[i, $1] - maximum) }
            for j in kept { result[i * columns + j] = Foundation.exp(self[i, j] - maximum) / total }
        }
        return ReferenceMatrix(rows: rows, columns: columns, values: result)
    }
}

/// Seeded float32-representable values in [low, high) for a tensor of `shape`.
func randomTensor(_ shape: Shape, seed: UInt64, low: Double = -1, high: Double = 1) -> ReferenceTensor {
    ReferenceTensor(TensorValue.random(TensorType(.float32, shape), seed: seed, low: low, high: high))
}

/// The logistic sigmoid.
func logistic(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
