import ArgumentParser

/// The `kiln` command-line tool.
@main
struct KilnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiln",
        abstract: "Compile neural-network graphs to C and run them.",
        discussion: "MODEL is a zoo name (see `kiln models`), a path to a .kiln graph file or an .onnx file.",
        subcommands: [Run.self, Train.self, Profile.self, Show.self, Emit.self, Export.self, Bench.self, Models.self, PrintGraph.self])
}
