import KilnC

/// Constant lookup tables in generated C: the index ranges and weights that depend only on the
/// static shapes are computed in Swift and emitted once, so the loops test no bounds.
extension CWriter {
    /// Writes `static const long name[n] = {...};`.
    mutating func table(_ name: String, _ values: [Int]) {
        line("static const long \(name)[\(values.count)] = {\(values.map(String.init).joined(separator: ", "))};")
    }

    /// Writes `static const float name[n] = {...};`, each value rounded to float.
    mutating func table(_ name: String, _ values: [Double]) {
        line("static const float \(name)[\(values.count)] = {\(values.map { CLiteral.float($0) }.joined(separator: ", "))};")
    }
}
