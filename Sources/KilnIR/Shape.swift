/// A static tensor shape: the extent of each dimension, outermost first (C order).
public struct Shape: Sendable, Hashable, ExpressibleByArrayLiteral, CustomStringConvertible {
    /// The extent of each dimension.
    public var dimensions: [Int]

    /// Creates a shape from its dimensions.
    public init(_ dimensions: [Int]) { self.dimensions = dimensions }

    public init(arrayLiteral elements: Int...) { self.dimensions = elements }

    /// The number of dimensions; 0 for a scalar.
    public var rank: Int { dimensions.count }

    /// The number of elements (1 for a scalar). Shapes in a verified graph, and every shape that
    /// passed `TensorSizeLimit`, have one; for any other shape use `checkedElementCount`.
    public var elementCount: Int { dimensions.reduce(1, *) }

    /// The number of elements, or nil when the non-zero dimensions multiply past `Int.max` (a
    /// zero dimension does not hide that: every partial product of the dimensions of a shape
    /// with a checked count fits in an `Int`).
    public var checkedElementCount: Int? {
        var product = 1, hasZero = false
        for dimension in dimensions {
            guard dimension >= 0 else { return nil }
            if dimension == 0 { hasZero = true; continue }
            let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            product = next
        }
        return hasZero ? 0 : product
    }

    /// Row-major strides in elements.
    public var strides: [Int] {
        var result = [Int](repeating: 1, count: rank)
        var running = 1
        for axis in stride(from: rank - 1, through: 0, by: -1) {
            result[axis] = running
            running *= dimensions[axis]
        }
        return result
    }

    /// The extent of dimension `axis`.
    public subscript(axis: Int) -> Int { dimensions[axis] }

    /// `[2,3,4]`.
    public var description: String { "[" + dimensions.map(String.init).joined(separator: ",") + "]" }

    /// Normalizes a possibly negative axis, or returns nil when it is out of range.
    public func normalizedAxis(_ axis: Int) -> Int? {
        let value = axis < 0 ? axis + rank : axis
        return (0..<max(rank, 1)).contains(value) && (rank > 0 || value == 0) ? value : nil
    }
}

extension Shape {
    /// The NumPy broadcast of two shapes, or nil when a pair of dimensions differs and neither is 1.
    public static func broadcast(_ a: Shape, _ b: Shape) -> Shape? {
        let rank = max(a.rank, b.rank)
        var result = [Int](repeating: 1, count: rank)
        for index in 0..<rank {
            let da = index < rank - a.rank ? 1 : a.dimensions[index - (rank - a.rank)]
            let db = index < rank - b.rank ? 1 : b.dimensions[index - (rank - b.rank)]
            if da == db || db == 1 { result[index] = da } else if da == 1 { result[index] = db } else { return nil }
        }
        return Shape(result)
    }

    /// Strides for reading a tensor of this shape as if it had the broadcast shape `target`:
    /// dimensions of extent 1 (and missing leading dimensions) get stride 0.
    public func broadcastStrides(to target: Shape) -> [Int] {
        let own = strides
        let offset = target.rank - rank
        return (0..<target.rank).map { axis in
            let source = axis - offset
            if source < 0 || dimensions[source] == 1 { return 0 }
            return own[source]
        }
    }
}

extension Shape {
    /// Whether reading with `strides` against this shape's multi-index visits a tensor of this
    /// shape element by element in C order (strides of extent-1 axes do not matter).
    public func readsContiguously(_ strides: [Int]) -> Bool {
        let own = self.strides
        return strides.count == rank && (0..<rank).allSatisfy { dimensions[$0] == 1 || strides[$0] == own[$0] }
    }

    /// Whether reading with `strides` against this shape's multi-index always reads the same element.
    public func readsOneElement(_ strides: [Int]) -> Bool {
        strides.count == rank && (0..<rank).allSatisfy { dimensions[$0] == 1 || strides[$0] == 0 }
    }
}
