import Foundation
import Synchronization

/// The largest tensor Kiln accepts, in bytes: every declared shape (a graph's nodes, a `.npy`
/// or safetensors file, an ONNX initializer, a shape an importer computes) is checked against
/// it before anything of that size is allocated or iterated, so a declared shape can never make
/// Kiln run out of memory or loop for hours before it says no.
///
/// The limit in force is, first found: `TensorSizeLimit.maximumBytes` set through the API, the
/// environment variable `KILN_MAX_TENSOR_BYTES` (a byte count, optionally with a `K`, `M`, `G` or
/// `T` suffix, powers of 1024), and the default: an eighth of the machine's physical memory
/// (Kiln may hold a tensor several times over: the arena, a float64 reference copy, a file's
/// bytes), at least 64 MiB.
public enum TensorSizeLimit {
    /// The environment variable that overrides the default limit.
    public static let environmentVariable = "KILN_MAX_TENSOR_BYTES"

    private static let setting = Mutex<Int?>(nil)

    /// The limit in force, in bytes.
    public static var maximumBytes: Int { overrideBytes ?? environmentBytes ?? defaultBytes }

    /// A limit set through the API for the whole process, which takes precedence over the
    /// environment variable and the default; nil (the initial value) defers to them.
    public static var overrideBytes: Int? {
        get { setting.withLock { $0 } }
        set { setting.withLock { $0 = newValue.map { Swift.max($0, 0) } } }
    }

    /// An eighth of the physical memory, at least 64 MiB.
    public static var defaultBytes: Int {
        let physical = ProcessInfo.processInfo.physicalMemory
        return Swift.max(64 << 20, Int(clamping: physical / 8))
    }

    /// The value of `KILN_MAX_TENSOR_BYTES`, or nil when it is unset or unreadable.
    static var environmentBytes: Int? {
        guard let text = ProcessInfo.processInfo.environment[environmentVariable] else { return nil }
        return parseByteCount(text)
    }

    /// `123`, `64K`, `512M`, `3G`, `1T` (powers of 1024) as a byte count; nil when malformed or
    /// beyond `Int.max`.
    static func parseByteCount(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        let shifts: [Character: Int] = ["K": 10, "M": 20, "G": 30, "T": 40]
        var digits = Substring(trimmed), shift = 0
        if let last = trimmed.last, let suffixShift = shifts[last] {
            digits = trimmed.dropLast()
            shift = suffixShift
        }
        guard let count = Int(digits), count >= 0 else { return nil }
        let (scaled, overflow) = count.multipliedReportingOverflow(by: 1 << shift)
        return overflow ? nil : scaled
    }

    /// Why a tensor of `type` is refused (`f32[2147483648] needs 8 GiB (8589934592 bytes), more
    /// than the limit ...`), or nil when it fits. A zero dimension counts as 1 here, so that an
    /// empty tensor's other dimensions are bounded too (no product of them can overflow, and no
    /// loop over them can run long).
    public static func violation(_ type: TensorType, limit: Int = maximumBytes) -> String? {
        let extents = TensorType(type.dtype, Shape(type.shape.dimensions.map { Swift.max($0, 1) }))
        if let footprint = extents.checkedByteCount, footprint <= limit { return nil }
        let needed: String
        if type.shape.checkedElementCount == 0 {
            needed = "has no elements, but its other dimensions span " + (extents.checkedByteCount.map { describe(bytes: $0) } ?? uncountable)
        } else {
            needed = "needs " + (type.checkedByteCount.map { describe(bytes: $0) } ?? uncountable)
        }
        return "\(type) \(needed), over Kiln's limit of \(describe(bytes: limit)) for one tensor; set \(environmentVariable) to change it"
    }

    /// Throws a `ShapeError` when a tensor of `type` is refused (see `violation`).
    public static func check(_ type: TensorType) throws(ShapeError) {
        if let message = violation(type) { throw ShapeError(message) }
    }

    private static let uncountable = "more than \(Int.max) bytes"

    /// `512 bytes`, `8 GiB (8589934592 bytes)`: a byte count for messages.
    public static func describe(bytes count: Int) -> String {
        let units = [(40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB")]
        guard let (shift, unit) = units.first(where: { count >= 1 << $0.0 }) else { return "\(count) bytes" }
        let scaled = Double(count) / Double(1 << shift)
        let text = scaled >= 100 || scaled == scaled.rounded() ? String(Int(scaled.rounded())) : String(format: "%.1f", scaled)
        return "\(text) \(unit) (\(count) bytes)"
    }
}
