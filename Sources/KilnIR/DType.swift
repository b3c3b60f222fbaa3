/// The element type of a tensor.
///
/// Kiln computes in `float32`; integer types exist for indices (argmax results, gather indices).
public enum DType: String, Sendable, Hashable, CaseIterable {
    case float32 = "f32"
    case int32 = "i32"
    case int64 = "i64"

    /// Size of one element in bytes.
    public var byteSize: Int {
        switch self {
        case .float32, .int32: 4
        case .int64: 8
        }
    }

    /// The C type that stores one element.
    public var cType: String {
        switch self {
        case .float32: "float"
        case .int32: "int32_t"
        case .int64: "int64_t"
        }
    }

    /// Whether the type holds integers.
    public var isInteger: Bool { self != .float32 }
}
