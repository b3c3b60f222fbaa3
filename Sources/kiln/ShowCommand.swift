import ArgumentParser
import Foundation
import Kiln
import KilnIR
import KilnONNX
import KilnPasses

/// `kiln show MODEL`: one row per node, then totals; with `--plan`, what optimization does.
struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List a model's nodes, shapes and parameters, or (--plan) its optimization report.",
        discussion: "--plan prints kernels and bytes moved before and after fusion, the arena against its lower "
            + "bound (peak live bytes) and the naive sum of all tensors, then the fusion plan (per kernel: nodes, "
            + "bytes saved, and why each neighbour was not fused) and the memory plan.")

    @OptionGroup var options: ModelOptions

    @OptionGroup var optimization: OptimizationFlags

    @Flag(help: "Print the optimization report instead of the node table.")
    var plan = false

    @Flag(help: "Report the training step (Adam) instead of inference.")
    var training = false

    @Flag(help: "With --plan, print only the summary, not the plans.")
    var brief = false

    @Option(help: ArgumentHelp("Write Graphviz DOT of the optimized graph, kernels as clusters.", valueName: "FILE"))
    var dot: String?

    func run() throws {
        try reportingErrors {
            let model = try options.loadModel()
            try model.validate()
            let optimizing = plan || training || dot != nil || optimization.printPasses || !optimization.dumpAfter.isEmpty
            guard optimizing else {
                print(ModelSummary(graph: model.graph).table())
                if options.model.hasSuffix(".onnx") {
                    print("")
                    print(OperatorCensus.table(onnx: try ONNXImporter.operatorCounts(options.model), graph: model.graph), terminator: "")
                }
                return
            }
            let report = training
                ? try model.trainingOptimizationReport(optimization: optimization.options)
                : try model.optimizationReport(optimization: optimization.options)
            if plan || training { print(report.text(details: !brief), terminator: "") }
            if let dot {
                let text = GraphvizDOT.render(report.optimized.graph, fusion: report.optimized.fusion)
                try SafeFile.write(text, to: dot)
                print("wrote \(dot)")
            }
        }
    }
}

/// `kiln models`: the zoo.
struct Models: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the model zoo.")

    func run() {
        let width = KilnModels.Zoo.entries.map(\.name.count).max() ?? 0
        for entry in KilnModels.Zoo.entries {
            print(entry.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + entry.summary)
        }
    }
}

/// `kiln graph MODEL`: the graph in the .kiln text format.
struct PrintGraph: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph", abstract: "Print a model's graph in the .kiln text format.")

    @OptionGroup var options: ModelOptions

    func run() throws {
        try reportingErrors {
            let model = try options.loadModel()
            try model.validate()
            print(model.graphFileText, terminator: "")
        }
    }
}

import KilnModels
import Foundation
