import Foundation
@testable import KilnONNX
import Testing

/// The README's table of imported ONNX operators is the one the converter tables generate.
@Suite struct ONNXOperatorTableTests {
    static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../README.md").standardized.path
    static let begin = "<!-- onnx-operators:begin (make onnx-table) -->\n", end = "<!-- onnx-operators:end -->"

    @Test func theReadmeTableIsCurrent() throws {
        var text = try String(contentsOfFile: Self.readme, encoding: .utf8)
        let start = try #require(text.range(of: Self.begin)), stop = try #require(text.range(of: Self.end))
        let rendered = ONNXOperatorTable.markdown()
        if ProcessInfo.processInfo.environment["KILN_UPDATE_ONNX_TABLE"] == "1" {
            text.replaceSubrange(start.upperBound..<stop.lowerBound, with: rendered)
            try text.write(toFile: Self.readme, atomically: true, encoding: .utf8)
            return
        }
        #expect(String(text[start.upperBound..<stop.lowerBound]) == rendered, "the imported ONNX operators changed: run `make onnx-table`")
    }

    @Test func everyNoteNamesAnImportedOperator() {
        let names = Set(ONNXOperatorTable.rows.map(\.name))
        #expect(Set(ONNXOperatorTable.limits.keys).subtracting(names).isEmpty)
        #expect(Set(ONNXOperatorTable.introduced.keys).subtracting(names).isEmpty)
        #expect(ONNXOperatorTable.rows.first { $0.name == "Range" }?.runsInGraph == false)
        #expect(ONNXOperatorTable.rows.first { $0.name == "Gelu" }?.opsets == 20...21)
    }
}
