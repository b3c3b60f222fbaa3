import KilnIR

/// A float64 tensor for the reference interpreter: exact enough to judge every backend.
///
/// Integer tensors (indices) keep their values as exact doubles.
public struct ReferenceTensor: Sendable, Hashable {
    /// The tensor's type (its element type says how a backend stores it).
    public var type: TensorType
    /// The elements in C order.
    public var values: [Double]

    /// Creates a reference tensor; the element count must match the shape.
    public init(_ type: TensorType, _ values: [Double]) {
        precondition(values.count == type.shape.elementCount, "\(values.count) values for \(type)")
        self.type = type
        self.values = values
    }

    /// A float32 reference tensor.
    public init(shape: Shape, _ values: [Double]) { self.init(TensorType(.float32, shape), values) }

    /// A reference tensor holding `value`'s elements.
    public init(_ value: TensorValue) { self.init(value.type, value.doubles) }

    /// The shape.
    public var shape: Shape { type.shape }

    /// The tensor rounded to its element type.
    public var tensorValue: TensorValue { TensorValue(type: type, doubles: values) }

    /// The integer an element of an index tensor holds, or nil when it is not finite or beyond
    /// the `Int` range: an index that is out of range for every axis, never a trap.
    public static func index(_ value: Double) -> Int? { Int(exactly: value.rounded(.towardZero)) }
}

/// Iterates over every multi-index of a shape in C order.
public struct IndexSpace: Sequence {
    let extents: [Int]

    /// The indices of `shape`.
    public init(_ shape: Shape) { extents = shape.dimensions }

    public func makeIterator() -> AnyIterator<[Int]> {
        var current = [Int](repeating: 0, count: extents.count)
        var done = extents.contains(0)
        return AnyIterator {
            if done { return nil }
            let result = current
            var axis = extents.count - 1
            while axis >= 0 {
                current[axis] += 1
                if current[axis] < extents[axis] { break }
                current[axis] = 0
                axis -= 1
            }
            if axis < 0 { done = true }
            return result
        }
    }
}

extension Array where Element == Int {
    /// The linear offset of this multi-index under `strides`.
    @inlinable
    public func offset(strides: [Int]) -> Int {
        var total = 0
        for (index, stride) in zip(self, strides) { total += index * stride }
        return total
    }
}
