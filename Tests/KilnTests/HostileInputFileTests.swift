import Foundation
import Testing

/// `.npy`, safetensors and checkpoint files that once crashed the tool or trained from a
/// nonsensical point (found by fuzzing): each now gives one `error:` line and exit code 1.
@Suite struct HostileInputFileTests {
    static let over = "over Kiln's limit of 1 GiB (1073741824 bytes) for one tensor; set KILN_MAX_TENSOR_BYTES to change it"

    /// A `.npy` version 1.0 file with `descr` and `shape` (Python's tuple text) and `data`.
    static func npy(_ descr: String, _ shape: String, data: [UInt8] = []) -> Data {
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        header += String(repeating: " ", count: 63 - (10 + header.utf8.count) % 64) + "\n"
        let length = header.utf8.count
        return Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8) + data)
    }

    /// A safetensors file with the JSON `header` and `data`.
    static func safetensors(_ header: String, data: [UInt8] = []) -> Data {
        let length = UInt64(header.utf8.count)
        return Data((0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) } + Array(header.utf8) + data)
    }

    static let npyCases: [(Data, String)] = [
        (npy("<f8", "(2305843009213693952,)"),
         "DIR/x.npy: not a valid .npy file: f32[2305843009213693952] needs more than 9223372036854775807 bytes, \(over)"),
        (npy("<f4", "(4611686018427387904, 4)"),
         "DIR/x.npy: not a valid .npy file: f32[4611686018427387904,4] needs more than 9223372036854775807 bytes, \(over)"),
        (npy("<f4", "(4294967296, 4294967296)"),
         "DIR/x.npy: not a valid .npy file: f32[4294967296,4294967296] needs more than 9223372036854775807 bytes, \(over)"),
        (npy("<f4", "(0, 4611686018427387904)"),
         "DIR/x.npy: not a valid .npy file: f32[0,4611686018427387904] has no elements, but its other dimensions span more than 9223372036854775807 bytes, \(over)"),
        (npy("<f4", "(64, 784)", data: [0, 0, 0, 0]),
         "DIR/x.npy: not a valid .npy file: data holds 4 bytes; shape [64,784] of '<f4' needs 200704"),
    ]

    @Test(arguments: npyCases)
    func npyInputIsRefused(file: Data, line: String) throws {
        let result = try HostileInput.kiln(["run", "mlp", "--input", "x=DIR/x.npy"], files: ["x.npy": file])
        HostileInput.expectError(result, line)
    }

    static let safetensorsCases: [(Data, String)] = [
        (safetensors(#"{"w":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,0]}}"#),
         "DIR/w.safetensors: not a valid safetensors file: tensor 'w': f32[2305843009213693952] needs more than 9223372036854775807 bytes, \(over)"),
        (safetensors(#"{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,16]}}"#, data: Array(repeating: 0, count: 16)),
         "DIR/w.safetensors: not a valid safetensors file: tensor 'w': f32[4611686018427387904,4] needs more than 9223372036854775807 bytes, \(over)"),
        (safetensors(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[9223372036854775807,4]}}"#, data: [0, 0, 0, 0]),
         "DIR/w.safetensors: not a valid safetensors file: tensor 'w' has data_offsets [9223372036854775807, 4] that do not fit shape [1] of F32 in 4 data bytes"),
    ]

    @Test(arguments: safetensorsCases)
    func safetensorsWeightsAreRefused(file: Data, line: String) throws {
        let result = try HostileInput.kiln(["run", "mlp", "--weights", "DIR/w.safetensors"], files: ["w.safetensors": file])
        HostileInput.expectError(result, line)
    }

    /// Each case: the checkpoint's `epochs_done` and `steps_taken` metadata, and the field the error names.
    static let checkpointCases: [(String, String, String)] = [
        ("-9223372036854775808", "44", "epochs_done is '-9223372036854775808'"),
        ("-1000", "44", "epochs_done is '-1000'"),
        ("9223372036854775807", "44", "epochs_done is '9223372036854775807'"),
        ("1", "9223372036854775807", "steps_taken is '9223372036854775807'"),
        ("1", "-5", "steps_taken is '-5'"),
        ("one\nline", "44", "epochs_done is 'one\\nline'"),
    ]

    @Test(arguments: checkpointCases)
    func resumingFromANonsensicalCheckpointIsRefused(epochs: String, steps: String, field: String) throws {
        let metadata = #"{"epochs_done":"\#(epochs.replacingOccurrences(of: "\n", with: "\\n"))","model":"mlp-digits","steps_taken":"\#(steps)"}"#
        let file = Self.safetensors(#"{"__metadata__":\#(metadata)}"#)
        let result = try HostileInput.kiln(
            ["train", "mlp-digits", "--epochs", "2", "--resume", "DIR/c.safetensors"], files: ["c.safetensors": file])
        HostileInput.expectError(result, "DIR/c.safetensors: checkpoint metadata \(field); expected a whole number from 0 to 9007199254740992")
    }
}
