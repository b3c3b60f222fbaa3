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

    /// `f32[2,3]`.
    public var description: String { dtype.rawValue + shape.description }
}
