/// The element type of a tensor.
///
/// Kiln computes in `float32`; integer types exist for indices (argmax results, gather indices),
/// and `bool` for masks given as graph inputs or outputs (one byte, 0 or 1; `cast` converts it to
/// the float32 mask of 0 and 1 that Kiln's comparisons and `where` work with).
public enum DType: String, Sendable, Hashable, CaseIterable {
    case float32 = "f32"
    case int32 = "i32"
    case int64 = "i64"
    case bool = "bool"

    /// Size of one element in bytes.
    public var byteSize: Int {
        switch self {
        case .float32, .int32: 4
        case .int64: 8
        case .bool: 1
        }
    }

    /// The C type that stores one element.
    public var cType: String {
        switch self {
        case .float32: "float"
        case .int32: "int32_t"
        case .int64: "int64_t"
        case .bool: "uint8_t"
        }
    }

    /// Whether the type holds integers (`bool` holds 0 and 1).
    public var isInteger: Bool { self != .float32 }

    /// Whether `value` is exactly representable in this type: any float for `f32` (rounding to
    /// float32 is a constant's normal fate), a whole number in range for an integer type, 0 or 1 for `bool`.
    public func holdsExactly(_ value: Double) -> Bool {
        if self == .int32 { return Int32(exactly: value) != nil }
        if self == .bool { return value == 0 || value == 1 }
        return !isInteger || Int64(exactly: value) != nil
    }
}
