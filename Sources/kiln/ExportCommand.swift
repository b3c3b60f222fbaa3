import ArgumentParser
import Kiln
import KilnONNX

/// `kiln export MODEL -o model.onnx`: the inference graph as ONNX.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a model's inference graph as an ONNX file (opset 17, parameters as initializers).",
        discussion: "--weights exports trained values; otherwise the parameters' initial values under --seed.")

    @OptionGroup var options: ModelOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("The .onnx file to write.", valueName: "file.onnx"))
    var output: String

    func run() throws {
        try reportingErrors {
            let model = try options.loadModel()
            try model.validate()
            try model.exportONNX(to: output)
            print("wrote \(output): \(model.graph.nodes.count) Kiln nodes, ONNX opset \(ONNXExporter.opset)")
        }
    }
}
