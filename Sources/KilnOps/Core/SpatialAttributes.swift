import KilnIR

/// A value per spatial axis of an NCHW tensor: height first, then width.
public struct SpatialPair: Sendable, Hashable, CustomStringConvertible {
    /// The value for the height axis.
    public var height: Int
    /// The value for the width axis.
    public var width: Int

    /// Creates a pair.
    public init(_ height: Int, _ width: Int) {
        self.height = height
        self.width = width
    }

    /// `[h,w]`, the attribute form.
    public var description: String { "[\(height),\(width)]" }
    /// `hxw`, the size form used in messages.
    var size: String { "\(height)x\(width)" }
    /// The attribute value `[h, w]`.
    var attribute: AttributeValue { .ints([height, width]) }

    /// Reads attribute `name` of a node of `op`: one integer (both axes) or two (`[h, w]`), each
    /// at least `minimum`; `fallback` when absent (an error when there is none).
    static func read(
        _ attributes: Attributes, _ name: String, default fallback: SpatialPair?, minimum: Int, op: some Operator
    ) throws(ShapeError) -> SpatialPair {
        guard let values = try op.optionalInts(attributes, name) else {
            guard let fallback else { throw ShapeError("missing attribute '\(name)'") }
            return fallback
        }
        guard (1...2).contains(values.count), values.allSatisfy({ $0 >= minimum }) else {
            throw ShapeError("attribute '\(name)' must be 1 or 2 integers of at least \(minimum), got \(AttributeValue.ints(values))")
        }
        try checkExtent(values, name)
        return SpatialPair(values[0], values[values.count - 1])
    }
}

/// Padding of the two spatial axes, possibly asymmetric: `[top, left, bottom, right]`.
public struct SpatialPadding: Sendable, Hashable, CustomStringConvertible {
    /// Rows added above the input.
    public var top: Int
    /// Columns added left of the input.
    public var left: Int
    /// Rows added below the input.
    public var bottom: Int
    /// Columns added right of the input.
    public var right: Int

    /// Creates a padding.
    public init(top: Int, left: Int, bottom: Int, right: Int) {
        self.top = top
        self.left = left
        self.bottom = bottom
        self.right = right
    }

    /// No padding.
    public static let zero = SpatialPadding(top: 0, left: 0, bottom: 0, right: 0)

    /// `[top,left,bottom,right]`, the attribute form.
    public var description: String { "[\(top),\(left),\(bottom),\(right)]" }
    /// The attribute value `[top, left, bottom, right]`.
    var attribute: AttributeValue { .ints([top, left, bottom, right]) }

    /// Reads attribute `name` of a node of `op`: one integer (every side), two (`[h, w]`, both
    /// sides of each axis) or four (`[top, left, bottom, right]`), none negative; zero when absent.
    static func read(_ attributes: Attributes, _ name: String = "padding", op: some Operator) throws(ShapeError) -> SpatialPadding {
        guard let values = try op.optionalInts(attributes, name) else { return .zero }
        guard [1, 2, 4].contains(values.count), values.allSatisfy({ $0 >= 0 }) else {
            throw ShapeError(
                "attribute '\(name)' must be 1, 2 or 4 integers of at least 0 ([top,left,bottom,right]), got \(AttributeValue.ints(values))")
        }
        try checkExtent(values, name)
        switch values.count {
        case 1: return SpatialPadding(top: values[0], left: values[0], bottom: values[0], right: values[0])
        case 2: return SpatialPadding(top: values[0], left: values[1], bottom: values[0], right: values[1])
        default: return SpatialPadding(top: values[0], left: values[1], bottom: values[2], right: values[3])
        }
    }
}

/// The largest value a spatial attribute (size, stride, padding, dilation) may take, so that
/// index arithmetic on it cannot overflow.
let maximumSpatialExtent = 1 << 30

/// Checks that every value of attribute `name` is at most `maximumSpatialExtent`.
func checkExtent(_ values: [Int], _ name: String) throws(ShapeError) {
    if let large = values.first(where: { $0 > maximumSpatialExtent }) {
        throw ShapeError("attribute '\(name)' holds \(large); expected at most \(maximumSpatialExtent)")
    }
}

extension Operator {
    /// Checks that input `index` is a float32 NCHW tensor and returns its shape.
    func requireImage(_ inputs: [TensorType], _ index: Int) throws(ShapeError) -> Shape {
        let input = inputs[index]
        guard input.dtype == .float32 else { throw ShapeError("input \(index) is \(input); expected f32") }
        guard input.shape.rank == 4 else {
            throw ShapeError("input \(index) has shape \(input.shape); expected rank 4 (N, C, H, W)")
        }
        return input.shape
    }
}
