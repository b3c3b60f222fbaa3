import KilnIR

/// A trainable tensor of a layer: its shape, how it is initialized, and whether it trains.
///
/// A parameter is a reference: a layer called twice (time steps, Siamese branches) uses one node.
public final class Parameter {
    /// The parameter's name within its layer (`weight`, `bias`).
    public let name: String
    /// The parameter's shape.
    public let shape: Shape
    /// How its initial values are drawn (seeded by the model).
    public let initializer: ParameterInitializer
    /// Whether optimizers update it (false freezes it, e.g. for fine-tuning).
    public var trainable: Bool

    /// Creates a parameter.
    public init(_ name: String, shape: Shape, initializer: ParameterInitializer, trainable: Bool = true) {
        self.name = name
        self.shape = shape
        self.initializer = initializer
        self.trainable = trainable
    }
}
