import Foundation

/// Element encodings of tensor files (`.npy`, safetensors): little-endian IEEE floats and
/// two's-complement integers, booleans as one byte (any nonzero byte reads as true).
package enum LittleEndianElement: Sendable {
    case float32, float64, int32, int64, bool

    /// The encoding Kiln writes elements of `dtype` in (`encode`'s).
    package init(_ dtype: DType) {
        switch dtype {
        case .float32: self = .float32
        case .int32: self = .int32
        case .int64: self = .int64
        case .bool: self = .bool
        }
    }

    /// Bytes per element.
    package var size: Int {
        switch self {
        case .float32, .int32: 4
        case .float64, .int64: 8
        case .bool: 1
        }
    }

    /// The element type Kiln holds these elements in (float64 is read as float32).
    package var dtype: DType {
        switch self {
        case .float32, .float64: .float32
        case .int32: .int32
        case .int64: .int64
        case .bool: .bool
        }
    }

    /// Why a tensor of `shape` in this encoding cannot be read from `available` data bytes (its
    /// byte count overflows, exceeds the data or Kiln's tensor size limit), or nil when it can;
    /// `label` names the element type in the file's terms (`'<f4'`, `F32`).
    package func refusal(_ shape: Shape, of label: String, available: Int) -> String? {
        if let message = TensorSizeLimit.violation(TensorType(dtype, shape)) { return message }
        guard let count = shape.checkedElementCount else { return "shape \(shape) of \(label) has more elements than Kiln can count" }
        let (needed, overflow) = count.multipliedReportingOverflow(by: size)
        guard !overflow, needed <= available else {
            return "data holds \(available) bytes; shape \(shape) of \(label) needs \(overflow ? "more than \(Int.max)" : String(needed))"
        }
        return nil
    }

    /// Decodes `shape.elementCount` elements from the start of `bytes` (float64 becomes float32);
    /// the caller has checked that enough bytes are there.
    package func decode(_ bytes: ArraySlice<UInt8>, shape: Shape) -> TensorValue {
        let count = shape.elementCount
        return bytes.withUnsafeBytes { raw in
            func word32(_ index: Int) -> UInt32 { raw.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self).littleEndian }
            func word64(_ index: Int) -> UInt64 { raw.loadUnaligned(fromByteOffset: 8 * index, as: UInt64.self).littleEndian }
            switch self {
            case .float32: return TensorValue(shape: shape, floats: (0..<count).map { Float(bitPattern: word32($0)) })
            case .float64: return TensorValue(shape: shape, floats: (0..<count).map { Float(Double(bitPattern: word64($0))) })
            case .int32:
                return TensorValue(dtype: .int32, shape: shape, integers: (0..<count).map { Int64(Int32(bitPattern: word32($0))) })
            case .int64:
                return TensorValue(dtype: .int64, shape: shape, integers: (0..<count).map { Int64(bitPattern: word64($0)) })
            case .bool:
                return TensorValue(dtype: .bool, shape: shape, integers: (0..<count).map { raw[$0] != 0 ? 1 : 0 })
            }
        }
    }

    /// The elements of `value` as little-endian bytes in Kiln's encoding of its element type.
    package static func encode(_ value: TensorValue) -> Data {
        var data = Data()
        switch value.type.dtype {
        case .float32: value.floats.map { $0.bitPattern.littleEndian }.withUnsafeBytes { data.append(contentsOf: $0) }
        case .int32: value.integers.map { Int32(truncatingIfNeeded: $0).littleEndian }.withUnsafeBytes { data.append(contentsOf: $0) }
        case .int64: value.integers.map { $0.littleEndian }.withUnsafeBytes { data.append(contentsOf: $0) }
        case .bool: data.append(contentsOf: value.integers.map { $0 != 0 ? 1 : 0 as UInt8 })
        }
        return data
    }
}
