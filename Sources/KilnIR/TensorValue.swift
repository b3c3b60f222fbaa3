/// A concrete tensor: a type and its elements in C order.
///
/// `float32` tensors keep their elements in `floats`; integer tensors in `integers`.
public struct TensorValue: Sendable, Hashable {
    /// The element type and shape.
    public var type: TensorType
    /// The elements of a `float32` tensor (empty otherwise).
    public var floats: [Float]
    /// The elements of an integer tensor (empty otherwise).
    public var integers: [Int64]

    /// Creates a `float32` tensor; the element count must match the shape.
    public init(shape: Shape, floats: [Float]) {
        precondition(floats.count == shape.elementCount, "element count \(floats.count) does not match shape \(shape)")
        self.type = TensorType(.float32, shape)
        self.floats = floats
        self.integers = []
    }

    /// Creates an integer tensor; the element count must match the shape.
    public init(dtype: DType, shape: Shape, integers: [Int64]) {
        precondition(dtype.isInteger && integers.count == shape.elementCount)
        self.type = TensorType(dtype, shape)
        self.floats = []
        self.integers = integers
    }

    /// Creates a zero tensor of `type`.
    public init(zeros type: TensorType) {
        if type.dtype.isInteger {
            self.init(dtype: type.dtype, shape: type.shape, integers: Array(repeating: 0, count: type.shape.elementCount))
        } else {
            self.init(shape: type.shape, floats: Array(repeating: 0, count: type.shape.elementCount))
        }
    }

    /// The shape.
    public var shape: Shape { type.shape }

    /// The elements as doubles, whatever the element type.
    public var doubles: [Double] {
        type.dtype.isInteger ? integers.map(Double.init) : floats.map(Double.init)
    }

    /// A tensor of `type` from doubles (rounded to the element type; for integer types, toward
    /// zero and saturated to the Int64 range, NaN becoming 0, so that no value traps; for `bool`,
    /// nonzero becomes 1).
    public init(type: TensorType, doubles: [Double]) {
        if type.dtype.isInteger {
            let integers = doubles.map(TensorValue.saturatingInt64)
            self.init(dtype: type.dtype, shape: type.shape, integers: type.dtype == .bool ? integers.map { $0 != 0 ? 1 : 0 } : integers)
        } else {
            self.init(shape: type.shape, floats: doubles.map { Float($0) })
        }
    }

    /// `value` rounded toward zero and saturated to the Int64 range, NaN becoming 0.
    public static func saturatingInt64(_ value: Double) -> Int64 {
        if value.isNaN { return 0 }
        if value >= 0x1p63 { return .max }
        if value < -0x1p63 { return .min }
        return Int64(value.rounded(.towardZero))
    }
}
