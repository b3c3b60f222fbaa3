import ArgumentParser
import Kiln
import KilnIR

/// `kiln show MODEL`: one row per node, then totals.
struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List a model's nodes, shapes and parameters.")

    @OptionGroup var options: ModelOptions

    func run() throws {
        try reportingErrors {
            let model = try ModelSource.load(options.model, seed: options.seed)
            try model.validate()
            print(ModelSummary(graph: model.graph).table())
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
            let model = try ModelSource.load(options.model, seed: options.seed)
            try model.validate()
            print(GraphText.print(model.graph), terminator: "")
        }
    }
}

import KilnModels
import Foundation
