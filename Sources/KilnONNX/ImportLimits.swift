import KilnIR

/// Bounds checked before an import creates a tensor, so that a declared shape never makes Kiln
/// overflow, allocate or loop before it says no.
enum ImportLimits {
    /// The most elements a value computed at import time may have (2²⁸, 1 GiB of float32): such
    /// values are shapes, masks and small tables, never activations.
    static let importTimeElements = 1 << 28

    /// The element count of `dimensions`, or an error naming `what` when a dimension is negative
    /// or the count overflows or exceeds `limit`.
    static func elementCount(_ dimensions: [Int], of what: String, limit: Int = importTimeElements) throws(KilnError) -> Int {
        guard dimensions.allSatisfy({ $0 >= 0 }) else { throw .invalidArgument("\(what): negative dimension in \(Shape(dimensions))") }
        guard let count = Shape(dimensions).checkedElementCount else {
            throw .invalidArgument("\(what): shape \(Shape(dimensions)) has more elements than Kiln can count")
        }
        guard count <= limit else {
            throw .invalidArgument("\(what): shape \(Shape(dimensions)) has \(count) elements, more than the \(limit) Kiln allows here")
        }
        return count
    }
}
