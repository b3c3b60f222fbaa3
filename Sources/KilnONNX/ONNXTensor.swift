import Foundation
import KilnIR

/// Converts ONNX tensors (initializers, `Constant` values) into Kiln tensor values.
enum ONNXTensor {
    /// ONNX element type numbers (`TensorProto.DataType`).
    enum ElementType: Int32 {
        case float = 1, uint8 = 2, int8 = 3, uint16 = 4, int16 = 5, int32 = 6, int64 = 7, bool = 9, float16 = 10, double = 11
        case uint32 = 12, uint64 = 13

        /// The element type numbered `number` (an attribute such as Cast's `to`), or nil.
        init?(number: Int) {
            guard let raw = Int32(exactly: number) else { return nil }
            self.init(rawValue: raw)
        }

        /// Whether the type is a floating-point one (Kiln computes those in float32).
        var isFloat: Bool { self == .float || self == .double || self == .float16 }

        /// How Kiln holds values of this type: floats in float32, booleans as float32 masks of
        /// 0 and 1 (Kiln's comparisons give those), other integers in int64.
        var kilnType: DType { isFloat || self == .bool ? .float32 : .int64 }
    }

    /// The values of `proto`: floats as float32, booleans as float32 masks of 0 and 1, other
    /// integers as int64.
    /// Throws when the stored data contradicts the dimensions or the type is unsupported.
    static func value(_ proto: Onnx_TensorProto, context: String) throws(KilnError) -> TensorValue {
        let shape = Shape(proto.dims.map(Int.init))
        let count = try ImportLimits.elementCount(shape.dimensions, of: context, limit: .max)
        if let refusal = TensorSizeLimit.violation(TensorType(.float32, shape)) { throw .invalidArgument("\(context): \(refusal)") }
        guard proto.dataLocation != .external else {
            throw .invalidArgument("\(context): external tensor data is not supported; save the model with the weights inside")
        }
        func check(_ found: Int) throws(KilnError) {
            guard found == count else {
                throw .invalidArgument("\(context): shape \(shape) needs \(count) values, the data holds \(found)")
            }
        }
        let raw = [UInt8](proto.rawData)
        func rawWords<Word: FixedWidthInteger>(_: Word.Type) throws(KilnError) -> [Word] {
            let size = MemoryLayout<Word>.size
            try check(raw.count / size)
            guard raw.count % size == 0 else { throw .invalidArgument("\(context): raw data of \(raw.count) bytes is not a whole number of elements") }
            return raw.withUnsafeBytes { buffer in (0..<count).map { Word(littleEndian: buffer.loadUnaligned(fromByteOffset: $0 * size, as: Word.self)) } }
        }
        switch ElementType(rawValue: proto.dataType) {
        case .float?:
            if !raw.isEmpty { return TensorValue(shape: shape, floats: try rawWords(UInt32.self).map { Float(bitPattern: $0) }) }
            try check(proto.floatData.count)
            return TensorValue(shape: shape, floats: proto.floatData)
        case .double?:
            if !raw.isEmpty { return TensorValue(shape: shape, floats: try rawWords(UInt64.self).map { Float(Double(bitPattern: $0)) }) }
            try check(proto.doubleData.count)
            return TensorValue(shape: shape, floats: proto.doubleData.map(Float.init))
        case .int64?:
            if !raw.isEmpty { return TensorValue(dtype: .int64, shape: shape, integers: try rawWords(UInt64.self).map { Int64(bitPattern: $0) }) }
            try check(proto.int64Data.count)
            return TensorValue(dtype: .int64, shape: shape, integers: proto.int64Data)
        case .int32?, .bool?, .uint8?, .int8?:
            let integers: [Int64]
            if !raw.isEmpty {
                switch ElementType(rawValue: proto.dataType)! {
                case .int32: integers = try rawWords(UInt32.self).map { Int64(Int32(bitPattern: $0)) }
                case .int8: integers = try rawWords(UInt8.self).map { Int64(Int8(bitPattern: $0)) }
                default: integers = try rawWords(UInt8.self).map(Int64.init)
                }
            } else {
                try check(proto.int32Data.count)
                integers = proto.int32Data.map(Int64.init)
            }
            if proto.dataType == ElementType.bool.rawValue {
                return TensorValue(shape: shape, floats: integers.map { $0 != 0 ? 1 : 0 })
            }
            return TensorValue(dtype: .int64, shape: shape, integers: integers)
        case .float16?:
            if !raw.isEmpty { return TensorValue(shape: shape, floats: try rawWords(UInt16.self).map { Float(Float16(bitPattern: $0)) }) }
            try check(proto.int32Data.count)
            return TensorValue(shape: shape, floats: proto.int32Data.map { Float(Float16(bitPattern: UInt16(truncatingIfNeeded: $0))) })
        case .uint16?, .int16?, .uint32?, .uint64?, nil:
            throw .invalidArgument("\(context): unsupported element type \(proto.dataType)")
        }
    }
}
