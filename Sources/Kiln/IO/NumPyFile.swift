import Foundation
import KilnIR

/// Reads and writes NumPy `.npy` files (format versions 1.0, 2.0 and 3.0; C order).
///
/// Reading accepts little-endian `f4` and `f8` (stored as float32), `i4`, `i8` and booleans
/// (`|b1`); writing produces version 1.0 with `<f4`, `<i4`, `<i8` or `|b1`.
public enum NumPyFile {
    private static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Decodes `.npy` bytes; `path` only names the file in errors.
    public static func decode(_ data: Data, path: String = "<data>") throws(KilnError) -> TensorValue {
        let bytes = [UInt8](data)
        func fail(_ message: String) -> KilnError { .io(path: path, message: "not a valid .npy file: \(message)") }
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw fail("missing the \\x93NUMPY magic") }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("truncated header") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            headerStart = 12
        default: throw fail("unsupported format version \(major)")
        }
        guard headerStart + headerLength <= bytes.count,
              let header = String(bytes: bytes[headerStart..<headerStart + headerLength], encoding: .utf8) else {
            throw fail("truncated header")
        }
        let descr = try field("descr", in: header, fail: fail)
        let fortran = try field("fortran_order", in: header, fail: fail)
        let shapeText = try field("shape", in: header, fail: fail)
        guard fortran == "False" else { throw fail("Fortran-order arrays are not supported; save with np.ascontiguousarray") }
        let dimensionTexts = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "()"))
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var dimensions: [Int] = []
        for text in dimensionTexts {
            guard let dimension = Int(text), dimension >= 0 else { throw fail("bad shape \(shapeText)") }
            dimensions.append(dimension)
        }
        let shape = Shape(dimensions)
        let body = Array(bytes[(headerStart + headerLength)...])
        let element: LittleEndianElement
        switch descr {
        case "'<f4'": element = .float32
        case "'<f8'": element = .float64
        case "'<i4'": element = .int32
        case "'<i8'": element = .int64
        case "'|b1'": element = .bool
        default: throw fail("unsupported dtype \(descr) (expected '<f4', '<f8', '<i4', '<i8' or '|b1')")
        }
        if let refusal = element.refusal(shape, of: descr, available: body.count) { throw fail(refusal) }
        return element.decode(body[...], shape: shape)
    }

    /// Encodes `value` as `.npy` version 1.0 bytes.
    public static func encode(_ value: TensorValue) -> Data {
        header(for: value.type) + LittleEndianElement.encode(value)
    }

    /// The `.npy` version 1.0 header of a tensor of `type`: what precedes its elements.
    public static func header(for type: TensorType) -> Data {
        let descr = switch type.dtype {
        case .float32: "<f4"
        case .int32: "<i4"
        case .int64: "<i8"
        case .bool: "|b1"
        }
        let dims = type.shape.dimensions
        let shapeText = dims.count == 1 ? "(\(dims[0]),)" : "(" + dims.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data(magic + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        data.append(contentsOf: Array(header.utf8))
        return data
    }

    /// Reads a `.npy` file.
    public static func read(_ path: String) throws(KilnError) -> TensorValue {
        try decode(try SafeFile.read(path), path: path)
    }

    /// Writes `value` to a `.npy` file.
    public static func write(_ value: TensorValue, to path: String) throws(KilnError) {
        try SafeFile.write(encode(value), to: path)
    }

    /// Writes a tensor of `type` whose elements are `bytes`, in compiled code's layout (see
    /// `TensorValue(type:copyingFrom:)`), to a `.npy` file without copying them; on a big-endian
    /// machine they are converted first.
    public static func write(_ type: TensorType, bytes: UnsafeRawBufferPointer, to path: String) throws(KilnError) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return try SafeFile.write(header(for: type), to: path) }
        guard 1.littleEndian == 1 else { return try write(TensorValue(type: type, copyingFrom: base), to: path) }
        let body = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: bytes.count, deallocator: .none)
        try SafeFile.write(parts: [header(for: type), body], to: path)
    }

    private static func field(_ key: String, in header: String, fail: (String) -> KilnError) throws(KilnError) -> String {
        guard let keyRange = header.range(of: "'\(key)':") else { throw fail("header lacks '\(key)'") }
        let rest = header[keyRange.upperBound...].drop { $0 == " " }
        if rest.hasPrefix("(") {
            guard let close = rest.firstIndex(of: ")") else { throw fail("unterminated shape") }
            return String(rest[...close])
        }
        let end = rest.firstIndex(where: { $0 == "," || $0 == "}" }) ?? rest.endIndex
        return rest[..<end].trimmingCharacters(in: .whitespaces)
    }
}
