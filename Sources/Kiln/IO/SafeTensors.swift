import Foundation
import KilnIR

/// Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
/// naming each tensor's dtype, shape and byte range, then the raw little-endian data.
///
/// Kiln stores parameters and optimizer state this way (`F32`), and reads `F32`, `F64`, `I32`, `I64`.
public enum SafeTensors {
    /// Encodes named tensors (sorted by name) with optional string metadata.
    public static func encode(_ tensors: [String: TensorValue], metadata: [String: String] = [:]) -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var body = Data()
        for name in tensors.keys.sorted() {
            let value = tensors[name]!
            let start = body.count
            body.append(LittleEndianElement.encode(value))
            let dtype = switch value.type.dtype {
            case .float32: "F32"
            case .int32: "I32"
            case .int64: "I64"
            case .bool: "BOOL"
            }
            header[name] = ["dtype": dtype, "shape": value.shape.dimensions, "data_offsets": [start, body.count]]
        }
        var json = (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])) ?? Data("{}".utf8)
        while (8 + json.count) % 8 != 0 { json.append(UInt8(ascii: " ")) }
        var length = UInt64(json.count).littleEndian
        var data = Data(bytes: &length, count: 8)
        data.append(json)
        data.append(body)
        return data
    }

    /// Decodes safetensors bytes; `path` only names the file in errors.
    public static func decode(_ data: Data, path: String = "<data>") throws(KilnError) -> (tensors: [String: TensorValue], metadata: [String: String]) {
        let bytes = [UInt8](data)
        func fail(_ message: String) -> KilnError { .io(path: path, message: "not a valid safetensors file: \(message)") }
        guard bytes.count >= 8 else { throw fail("shorter than its 8-byte header length") }
        let headerLength = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[$1]) << (8 * UInt64($1)) }
        guard headerLength <= UInt64(bytes.count - 8) else { throw fail("header length \(headerLength) exceeds the file") }
        let headerEnd = 8 + Int(headerLength)
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd])),
              let header = object as? [String: Any] else { throw fail("the header is not a JSON object") }
        let body = Array(bytes[headerEnd...])
        var tensors: [String: TensorValue] = [:]
        var metadata: [String: String] = [:]
        for (name, entry) in header {
            if name == "__metadata__" {
                metadata = (entry as? [String: String]) ?? [:]
                continue
            }
            guard let fields = entry as? [String: Any], let dtype = fields["dtype"] as? String,
                  let shapeValues = fields["shape"] as? [Int], let offsets = fields["data_offsets"] as? [Int],
                  offsets.count == 2 else { throw fail("tensor '\(name)' lacks dtype, shape or data_offsets") }
            guard shapeValues.allSatisfy({ $0 >= 0 }) else { throw fail("tensor '\(name)' has a negative dimension") }
            let shape = Shape(shapeValues)
            let element: LittleEndianElement
            switch dtype {
            case "F32": element = .float32
            case "F64": element = .float64
            case "I32": element = .int32
            case "I64": element = .int64
            case "BOOL": element = .bool
            default: throw fail("tensor '\(name)' has unsupported dtype \(dtype) (expected F32, F64, I32, I64 or BOOL)")
            }
            let (start, end) = (offsets[0], offsets[1])
            if let refusal = element.refusal(shape, of: dtype, available: .max) { throw fail("tensor '\(name)': \(refusal)") }
            guard start >= 0, end >= start, end <= body.count, end - start == shape.elementCount * element.size else {
                throw fail("tensor '\(name)' has data_offsets [\(start), \(end)] that do not fit shape \(shape) of \(dtype) in \(body.count) data bytes")
            }
            tensors[name] = element.decode(body[start..<end], shape: shape)
        }
        return (tensors, metadata)
    }

    /// Writes named tensors to a file.
    public static func write(_ tensors: [String: TensorValue], metadata: [String: String] = [:], to path: String) throws(KilnError) {
        try SafeFile.write(encode(tensors, metadata: metadata), to: path)
    }

    /// Reads named tensors from a file.
    public static func read(_ path: String) throws(KilnError) -> (tensors: [String: TensorValue], metadata: [String: String]) {
        try decode(try SafeFile.read(path), path: path)
    }
}
