import Kiln

/// One model of the zoo: its name, what it is, and how to build it.
public struct ZooEntry: Sendable {
    /// The name `kiln run NAME` takes.
    public let name: String
    /// One line about the model.
    public let summary: String
    /// The batch size the model is built with unless asked otherwise.
    public let defaultBatchSize: Int
    /// Builds the model with `batchSize` rows per batch and parameters drawn from `seed`.
    public let build: @Sendable (_ batchSize: Int, _ seed: UInt64) -> Model

    /// The model at its default batch size.
    public func build(seed: UInt64) -> Model { build(defaultBatchSize, seed) }
}

/// The model zoo, written in the DSL.
public enum Zoo {
    /// Every model, in the order `kiln models` lists them.
    public static let entries: [ZooEntry] = [
        ZooEntry(name: "mlp", summary: "784-512-512-10 MLP with ReLU, batch 64", defaultBatchSize: 64) {
            MLP.mnist(batch: $0, seed: $1)
        },
        ZooEntry(name: "mlp-digits", summary: "64-128-10 MLP for the digits data, cross-entropy loss", defaultBatchSize: 32) {
            DigitsModels.mlp(batch: $0, seed: $1)
        },
    ]

    /// The entry named `name`, if any.
    public static func entry(_ name: String) -> ZooEntry? { entries.first { $0.name == name } }
}
