import KilnIR

/// Seeded mutations of a fuzz input: byte flips and overwrites, chunk insertion, deletion and
/// duplication, splicing with another corpus entry, and, for the text inside every format
/// (`.kiln` files, `.npy` headers, safetensors JSON, ONNX names and attributes), replacing a
/// number with one of the values that break size arithmetic (2^62, -1, Int.max, NaN, 1e30).
public struct Mutator {
    var generator: SeededGenerator

    /// A mutator drawing from `seed`.
    public init(seed: UInt64) { generator = SeededGenerator(seed: seed) }

    /// Numbers that once crashed Kiln: overflowing products, negative and huge extents,
    /// non-finite values and out-of-range integers.
    static let interestingNumbers = [
        "0", "-1", "1", "2", "3", "7", "65536", "2147483648", "4294967296", "1099511627776", "4611686018427387904",
        "9223372036854775807", "-9223372036854775808", "18446744073709551616", "-4611686018427387904",
        "nan", "inf", "-inf", "1e30", "-1e30", "1e-30", "0.5",
    ]

    /// Byte values at the edges of integer encodings.
    static let interestingBytes: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x0A, 0x0D, 0x22, 0x5B, 0x5D, 0x2C]

    mutating func below(_ bound: Int) -> Int { bound <= 1 ? 0 : Int(generator.next() % UInt64(bound)) }

    /// One to four mutations of `input`; `corpus` supplies splices.
    public mutating func mutate(_ input: [UInt8], corpus: [[UInt8]]) -> [UInt8] {
        var bytes = input
        for _ in 0...below(4) { mutateOnce(&bytes, corpus: corpus) }
        return bytes
    }

    mutating func mutateOnce(_ bytes: inout [UInt8], corpus: [[UInt8]]) {
        guard !bytes.isEmpty else { bytes = [UInt8(truncatingIfNeeded: generator.next())]; return }
        let position = below(bytes.count)
        switch below(9) {
        case 0: bytes[position] ^= 1 << UInt8(below(8))
        case 1: bytes[position] = Self.interestingBytes[below(Self.interestingBytes.count)]
        case 2: bytes[position] = UInt8(truncatingIfNeeded: generator.next())
        case 3: bytes.removeSubrange(position..<min(bytes.count, position + 1 + below(16)))
        case 4:
            let start = below(bytes.count), end = min(bytes.count, start + 1 + below(32))
            bytes.insert(contentsOf: bytes[start..<end], at: position)
        case 5:
            let other = corpus.isEmpty ? bytes : corpus[below(corpus.count)]
            guard !other.isEmpty else { return }
            let start = below(other.count), end = min(other.count, start + 1 + below(64))
            bytes.replaceSubrange(position..<min(bytes.count, position + (end - start)), with: other[start..<end])
        default: replaceNumber(&bytes, near: position)
        }
    }

    /// Replaces the run of digits nearest after `position` (or inserts one there) with an
    /// interesting number.
    mutating func replaceNumber(_ bytes: inout [UInt8], near position: Int) {
        let replacement = Array(Self.interestingNumbers[below(Self.interestingNumbers.count)].utf8)
        func isNumeric(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) || byte == 0x2D || byte == 0x2E }
        guard let start = bytes[position...].firstIndex(where: isNumeric) ?? bytes.firstIndex(where: isNumeric) else {
            bytes.insert(contentsOf: replacement, at: position)
            return
        }
        let end = bytes[start...].firstIndex { !isNumeric($0) } ?? bytes.endIndex
        bytes.replaceSubrange(start..<end, with: replacement)
    }
}
