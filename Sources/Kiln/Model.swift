import KilnCodegen
import KilnIR
import KilnInterpreter
import KilnOps
import KilnRuntime

/// A model: a static graph and the seed its parameters are drawn with.
///
/// ```swift
/// let model = Model("mlp") { g in
///     let x = g.input("x", [64, 784])
///     let net = Sequential { Linear(784, 512); ReLU(); Linear(512, 10) }
///     g.output("y", net(x))
/// }
/// let exe = try model.compile()
/// let outputs = try exe.run(["x": input])
/// ```
public struct Model: Sendable {
    /// The graph.
    public let graph: Graph
    /// The seed parameters are initialized with.
    public let seed: UInt64
    /// The first error met while building, thrown by `compile()`.
    public let buildError: KilnError?

    /// Builds a model by running `body`, which declares inputs and outputs on the context.
    public init(_ name: String, seed: UInt64 = 0, _ body: (GraphContext) -> Void) {
        let context = GraphContext(name: name)
        body(context)
        var error = context.firstError
        if error == nil, context.graph.outputs.isEmpty {
            error = .invalidGraph("model '\(name)' declares no outputs (call output(_:_:) in its body)")
        }
        self.graph = context.graph
        self.seed = seed
        self.buildError = error
    }

    /// A model from an existing graph (parsed from a `.kiln` file or imported).
    public init(graph: Graph, seed: UInt64 = 0) {
        self.graph = graph
        self.seed = seed
        self.buildError = nil
    }

    /// Checks the model: the first DSL error, then the graph's structure and types.
    public func validate() throws(KilnError) {
        if let buildError { throw buildError }
        try OperatorRegistry.verify(graph)
    }

    /// The parameters' initial values under the model's seed, by name.
    public func initialParameters() throws(KilnError) -> [String: TensorValue] {
        try graph.initialParameters(seed: seed)
    }

    /// Compiles the model to machine code (C through `backend`, libtcc by default) with its
    /// initial parameters loaded.
    public func compile(backend: any CompilerBackend = TCCBackend()) throws(KilnError) -> Executable {
        try validate()
        return try Executable(graph: graph, parameters: initialParameters(), backend: backend)
    }

    /// Runs the model on the float64 reference interpreter with its initial parameters.
    public func interpret(_ inputs: [String: TensorValue]) throws(KilnError) -> [String: TensorValue] {
        try validate()
        let parameters = try initialParameters().mapValues(ReferenceTensor.init)
        return try Interpreter.run(graph, inputs: inputs.mapValues(ReferenceTensor.init), parameters: parameters)
            .mapValues(\.tensorValue)
    }
}
