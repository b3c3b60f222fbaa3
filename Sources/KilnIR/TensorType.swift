/// The static type of a tensor: element type and shape.
public struct TensorType: Sendable, Hashable, CustomStringConvertible {
    /// The element type.
    public var dtype: DType
    /// The shape.
    public var shape: Shape

    /// Creates a tensor type.
    public init(_ dtype: DType = .float32, _ shape: Shape) {
        self.dtype = dtype
        self.shape = shape
    }

    /// Total size in bytes.
    public var byteCount: Int { shape.elementCount * dtype.byteSize }

    /// Total size in bytes, or nil when it does not fit in an `Int` (see `Shape.checkedElementCount`).
    public var checkedByteCount: Int? {
        guard let count = shape.checkedElementCount else { return nil }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        return overflow ? nil : bytes
    }

    /// `f32[2,3]`.
    public var description: String { dtype.rawValue + shape.description }
}
