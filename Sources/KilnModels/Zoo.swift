import Kiln

/// One model of the zoo: its name, what it is, and how to build it.
public struct ZooEntry: Sendable {
    /// The name `kiln run NAME` takes.
    public let name: String
    /// One line about the model.
    public let summary: String
    /// Builds the model with parameters drawn from `seed`.
    public let build: @Sendable (_ seed: UInt64) -> Model
}

/// The model zoo, written in the DSL.
public enum Zoo {
    /// Every model, in the order `kiln models` lists them.
    public static let entries: [ZooEntry] = [
        ZooEntry(name: "mlp", summary: "784-512-512-10 MLP with ReLU, batch 64") { MLP.mnist(seed: $0) },
    ]

    /// The entry named `name`, if any.
    public static func entry(_ name: String) -> ZooEntry? { entries.first { $0.name == name } }
}
