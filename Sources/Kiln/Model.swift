import KilnCodegen
import KilnIR
import KilnInterpreter
import KilnOps
import KilnPasses
import KilnRuntime

/// A model: a static graph and the seed its parameters are drawn with.
///
/// ```swift
/// let model = Model("mlp") { g in
///     let x = g.input("x", [64, 784])
///     let net = Sequential { Linear(784, 512); ReLU(); Linear(512, 10) }
///     let logits = net(x)
///     g.output("y", logits)
///     g.loss(crossEntropy(logits, labels: g.input("labels", [64])))   // used by training only
/// }
/// let exe = try model.compile()
/// let outputs = try exe.run(["x": input])
/// ```
///
/// The body runs once per mode: for inference (`graph`), and for training when a trainer asks,
/// with `g.isTraining` set so that dropout and batch norm switch behaviour.
public struct Model: Sendable {
    /// The model's name.
    public let name: String
    /// The inference graph (nodes that no output needs are pruned).
    public let graph: Graph
    /// The seed parameters are initialized with.
    public let seed: UInt64
    /// The first error met while building, thrown by `compile()`.
    public let buildError: KilnError?
    private let body: (@Sendable (GraphContext) -> Void)?
    var givenParameters: [String: TensorValue] = [:]
    /// The layers the body called, in the order of their first call (empty for a graph model).
    let layerCalls: [LayerRecord]
    /// The training forward graph a graph model was given.
    private let givenTrainingGraph: Graph?

    /// Builds a model by running `body`, which declares inputs, outputs and (for training) a loss.
    public init(_ name: String, seed: UInt64 = 0, _ body: @escaping @Sendable (GraphContext) -> Void) {
        self.name = name
        self.seed = seed
        self.body = body
        let (graph, error, layers) = Model.build(name, mode: .inference, body)
        self.graph = graph.pruned()
        self.buildError = error
        self.layerCalls = layers
        self.givenTrainingGraph = nil
    }

    /// A model from an existing graph (parsed from a `.kiln` file or imported). Parameters in
    /// `parameters` (an imported model's weights) take those values; the others are drawn from
    /// their initializers under `seed`. `training` is the training forward graph a `.kiln` file
    /// carries (dropout, batch statistics, the loss); without it, training appends a
    /// classification loss to `graph`.
    public init(graph: Graph, training: Graph? = nil, parameters: [String: TensorValue] = [:], seed: UInt64 = 0) {
        self.name = graph.name
        self.graph = graph
        self.givenTrainingGraph = training
        self.seed = seed
        self.buildError = nil
        self.body = nil
        self.givenParameters = parameters
        self.layerCalls = []
    }

    /// Runs the body in `mode` and returns the graph, the first error and the layers called.
    static func build(
        _ name: String, mode: ExecutionMode, _ body: (GraphContext) -> Void
    ) -> (Graph, KilnError?, [LayerRecord]) {
        let context = GraphContext(name: name, mode: mode)
        body(context)
        var error = context.firstError
        if error == nil, context.graph.outputs.isEmpty {
            error = .invalidGraph("model '\(name)' declares no outputs (call output(_:_:) in its body)")
        }
        return (context.graph, error, context.layerRecords)
    }

    /// The forward graph built in training mode (dropout active, loss declared), before the
    /// backward pass and optimizer are appended.
    public func trainingModeGraph() throws(KilnError) -> Graph { try trainingContext().graph }

    /// The training forward graph that a `.kiln` file of this model carries: the body's graph in
    /// training mode, or the one the model was given; nil when the model declares no loss of its
    /// own (training would append a classification loss).
    public var trainingForwardGraph: Graph? {
        if body != nil { return try? trainingContext().graph }
        return givenTrainingGraph
    }

    /// The model's `.kiln` file: its inference graph, then its training forward graph when it
    /// has one (`GraphText.print(_:training:)`).
    public var graphFileText: String { GraphText.print(graph, training: trainingForwardGraph) }

    /// The model a `.kiln` file describes (`graphFileText` reads back to an equal model).
    public init(graphFile text: String, parameters: [String: TensorValue] = [:], seed: UInt64 = 0) throws(KilnError) {
        let file = try GraphParser.parseFile(text)
        self.init(graph: file.inference, training: file.training, parameters: parameters, seed: seed)
    }

    /// The body run in training mode, ready to be extended with the backward pass.
    func trainingContext() throws(KilnError) -> GraphContext {
        let context = GraphContext(name: name, mode: .training)
        if let body {
            body(context)
        } else {
            context.builder = GraphBuilder(graph: givenTrainingGraph ?? graph)
            if !context.graph.outputs.contains(where: { $0.name == "loss" }) { try context.addClassificationLoss() }
        }
        if let error = context.firstError { throw error }
        guard context.graph.outputs.contains(where: { $0.name == "loss" }) else {
            throw .invalidArgument("model '\(name)' declares no loss (call loss(_:) in its body)")
        }
        return context
    }

    /// Checks the model: the first DSL error, then the graph's structure and types.
    public func validate() throws(KilnError) {
        if let buildError { throw buildError }
        try OperatorRegistry.verify(graph)
    }

    /// The parameters' initial values under the model's seed, by name.
    public func initialParameters() throws(KilnError) -> [String: TensorValue] {
        try graph.initialParameters(seed: seed).merging(givenParameters) { _, given in given }
    }

    /// Compiles the model to machine code with its initial parameters loaded: tcc by default
    /// (`.tiered`: tcc code at once, the native compiler's when it is built; see `ExecutionBackend`). The graph is optimized first (`OptimizationOptions.standard`:
    /// the standard passes, fusion, memory planning); `.none` compiles it as written.
    public func compile(
        backend: ExecutionBackend = .tcc, optimization: OptimizationOptions = .standard
    ) throws(KilnError) -> Executable {
        try validate()
        return try Compilation.executable(
            graph, parameters: initialParameters(), isTraining: false, optimization: optimization, backend: backend)
    }

    /// Runs the model on the float64 reference interpreter with its initial parameters.
    public func interpret(_ inputs: [String: TensorValue]) throws(KilnError) -> [String: TensorValue] {
        try validate()
        let parameters = try initialParameters().mapValues(ReferenceTensor.init)
        return try Interpreter.run(graph, inputs: inputs.mapValues(ReferenceTensor.init), parameters: parameters)
            .mapValues(\.tensorValue)
    }
}
