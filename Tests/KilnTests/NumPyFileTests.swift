import Foundation
import Kiln
import KilnIR
import Testing

@Suite struct NumPyFileTests {
    func fixture(_ name: String) throws -> String {
        try #require(Bundle.module.path(forResource: name, ofType: "npy", inDirectory: "Fixtures"))
    }

    @Test func readsFloat32WrittenByNumPy() throws {
        let value = try NumPyFile.read(fixture("numpy_f32"))
        #expect(value.type == TensorType(.float32, [2, 3]))
        #expect(value.floats == [0, 0.25, 0.5, 0.75, 1, 1.25])
    }

    @Test func writesTheSameBytesAsNumPy() throws {
        let path = try fixture("numpy_f32")
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(NumPyFile.encode(try NumPyFile.decode(original)) == original)
    }

    @Test func readsFloat64AsFloat32AndIntegers() throws {
        let doubles = try NumPyFile.read(fixture("numpy_f64"))
        #expect(doubles.type == TensorType(.float32, [1, 2]))
        #expect(doubles.floats == [1.5, -2.25])
        let integers = try NumPyFile.read(fixture("numpy_i64"))
        #expect(integers.type == TensorType(.int64, [3]))
        #expect(integers.integers == [3, -1, 7])
        let scalar = try NumPyFile.read(fixture("numpy_scalar"))
        #expect(scalar.type == TensorType(.float32, []))
        #expect(scalar.floats == [2.5])
    }

    @Test func booleansRoundTripAsOneByteEach() throws {
        let mask = TensorValue(dtype: .bool, shape: [2, 3], integers: [1, 0, 0, 1, 1, 0])
        let data = NumPyFile.encode(mask)
        #expect(String(decoding: data.prefix(64), as: UTF8.self).contains("'descr': '|b1'"))
        #expect(data.count % 64 == 6)
        #expect(try NumPyFile.decode(data) == mask)
    }

    @Test func roundTripsThroughAFile() throws {
        let value = TensorValue.random(TensorType(.float32, [3, 1, 4]), seed: 9)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-roundtrip.npy").path
        try NumPyFile.write(value, to: path)
        #expect(try NumPyFile.read(path) == value)
    }

    @Test func rejectsTruncatedAndForeignFiles() throws {
        let original = try Data(contentsOf: URL(fileURLWithPath: fixture("numpy_f32")))
        #expect(throws: KilnError.io(path: "t.npy", message: "not a valid .npy file: data holds 20 bytes; shape [2,3] of '<f4' needs 24")) {
            try NumPyFile.decode(original.prefix(original.count - 4), path: "t.npy")
        }
        #expect(throws: KilnError.io(path: "x.npy", message: "not a valid .npy file: missing the \\x93NUMPY magic")) {
            try NumPyFile.decode(Data("hello world".utf8), path: "x.npy")
        }
        #expect(throws: KilnError.self) { try NumPyFile.decode(original.prefix(12), path: "h.npy") }
        #expect(throws: KilnError.self) { try NumPyFile.read("/nonexistent/file.npy") }
    }

    @Test func writesElementsInCompiledCodesLayoutAsEncodeDoes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-npy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for dtype in [DType.float32, .int32, .int64, .bool] {
            for shape: Shape in [[2, 3], [0]] {
                let type = TensorType(dtype, shape)
                let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(type.byteCount, 1), alignment: 16)
                defer { bytes.deallocate() }
                TensorValue.fillRandom(type, seed: 3, low: -5, high: 5, into: bytes.baseAddress!)
                let path = folder.appendingPathComponent("\(dtype)-\(shape.elementCount).npy").path
                try NumPyFile.write(type, bytes: UnsafeRawBufferPointer(rebasing: bytes[..<type.byteCount]), to: path)
                let expected = TensorValue.random(type, seed: 3, low: -5, high: 5)
                #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == NumPyFile.encode(expected))
            }
        }
    }
}
