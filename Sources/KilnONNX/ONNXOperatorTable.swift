import KilnIR

/// The table of imported ONNX operators the README shows, generated from the converter and
/// import-time evaluator tables (a test fails when the README's copy drifts).
public enum ONNXOperatorTable {
    /// One imported operator: its name, the opsets Kiln imports it in, and whether it becomes graph
    /// nodes or is only evaluated at import time (on constants and shapes).
    public struct Row: Sendable, Hashable {
        /// The ONNX operator type.
        public var name: String
        /// The opsets Kiln imports it in.
        public var opsets: ClosedRange<Int>
        /// Whether Kiln converts it into graph nodes (false: import-time values only).
        public var runsInGraph: Bool
        /// What Kiln does not import of it, or "".
        public var limits: String
    }

    /// The first opset of operators newer than Kiln's oldest supported opset.
    static let introduced: [String: Int] = [
        "Gelu": 20, "GroupNormalization": 18, "LayerNormalization": 17, "Mish": 18, "Trilu": 14,
    ]

    /// What each operator's converter leaves out; the error names the node (`ONNX node 'NAME' (OP): ...`).
    static let limits: [String: String] = [
        "ArgMax": "no `select_last_index`", "ArgMin": "no `select_last_index`",
        "AveragePool": "1-D to 3-D; no `ceil_mode` in 3-D", "MaxPool": "1-D to 3-D; no `Indices` output; no `ceil_mode` in 3-D",
        "BatchNormalization": "inference form (one output)",
        "Conv": "1-D to 3-D", "ConvTranspose": "1-D and 2-D; no `output_shape`",
        "CumSum": "import-time axis of at most 4096", "Einsum": "no ellipsis, no diagonals (repeated index in one operand)",
        "GroupNormalization": "scale and bias per group before opset 21, per channel from 21",
        "GRU": "layout 0, default activations, no `clip`, no `sequence_lens`", "LSTM": "layout 0, default activations, no `clip`, `input_forget`, `sequence_lens` or peepholes",
        "RNN": "layout 0, default activations, no `clip`, no `sequence_lens`",
        "Mod": "integer remainders at import time only", "Pad": "constant mode",
        "Resize": "4-D; nearest (asymmetric, floor) and linear (half_pixel, align_corners); import-time scales or sizes",
        "ScatterElements": "import-time indices; reduction `none`", "ScatterND": "import-time indices; reduction `none`",
        "TopK": "import-time k of at most 256",
    ]

    /// Every imported operator, by name.
    public static var rows: [Row] {
        let converted = Set(ONNXConverters.table.keys)
        let names = converted.union(ConstantEvaluators.table.keys).sorted()
        return names.map { name in
            Row(
                name: name, opsets: max(introduced[name] ?? 0, ONNXImporter.supportedOpsets.lowerBound)...ONNXImporter.supportedOpsets.upperBound,
                runsInGraph: converted.contains(name), limits: limits[name] ?? "")
        }
    }

    /// The table as Markdown.
    public static func markdown() -> String {
        var text = "| operator | opsets | imported | limits |\n|---|---|---|---|\n"
        for row in rows {
            let opsets = "\(row.opsets.lowerBound)–\(row.opsets.upperBound)"
            text += "| `\(row.name)` | \(opsets) | \(row.runsInGraph ? "graph" : "import time only") | \(row.limits) |\n"
        }
        return text
    }
}
