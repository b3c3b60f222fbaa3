import Foundation
import KilnAnalysis
import KilnIR
import KilnOps
import KilnPasses
import KilnRuntime

/// Trains a model: one compiled training-step graph (forward, loss, backward, gradient clipping
/// and the optimizer's in-place update), called once per batch.
///
/// The model's body runs in training mode and must declare a scalar loss with `g.loss(_:)`.
/// Parameters marked non-trainable are left alone. The learning rate is a scalar input of the
/// step, so schedules never recompile.
public final class Trainer {
    /// The model trained.
    public let model: Model
    /// The training-step graph.
    public let graph: Graph
    /// The compiled training step.
    public let step: Executable
    /// Which nodes of the compiled step's graph are forward, backward and update.
    public let phases: GraphPhases
    /// The base learning rate.
    public let learningRate: Double
    /// How the learning rate changes with the step number.
    public let schedule: LearningRateSchedule
    /// Steps taken so far.
    public private(set) var stepsTaken = 0
    /// Whether `train` goes on when the loss comes out NaN or infinite; by default it throws
    /// `KilnError.nonfiniteLoss` (the step's update is applied either way).
    public var allowsNonfiniteLoss = false
    /// The ranks this trainer exchanges gradients with, nil for a single process.
    public let distributed: Communicator?
    /// The compute and exchange time and the bytes of every distributed step taken, in order
    /// (empty for a single process).
    public internal(set) var exchangeSteps: [StepExchange] = []
    /// The parameter checksum every rank agreed on at the last `synchronize()` (0 before one).
    public internal(set) var parameterChecksum: UInt64 = 0
    /// The backend the step was compiled for, used by `evaluate` too.
    private let backend: ExecutionBackend
    /// The inference program `evaluate` runs, compiled on its first call.
    private var evaluation: Executable?

    /// The name of the learning-rate input of the training step.
    public static let learningRateInput = "learning_rate"
    /// The name of the step-count state tensor.
    public static let stepCounter = "optimizer.step"

    /// Builds and compiles the training step of `model`, optimized with `optimization` (the
    /// standard passes, fusion with in-place optimizer updates, and memory planning by default).
    ///
    /// With `distributed`, the model's batch is this rank's share of the global batch: the step
    /// averages the gradients over the ranks before clipping and the update, draws its random
    /// masks at this rank's place in the global batch, and starts from rank 0's parameters and
    /// optimizer state (broadcast, then checked by a checksum). The gradients are exchanged in
    /// buckets of at least `bucketBytes`, each started as soon as backward has computed it; with
    /// `overlapsExchange` (the default) the step goes on with the backward pass while the ranks
    /// exchange and waits before the update, else each exchange blocks until done. Both give the
    /// same values.
    public init(
        model: Model, optimizer: any Optimizer, learningRate: Double, schedule: LearningRateSchedule = .constant,
        clipping: GradientClipping = .none, backend: ExecutionBackend = .tcc,
        optimization: OptimizationOptions = .standard, distributed: Communicator? = nil,
        bucketBytes: Int = Trainer.defaultBucketBytes, overlapsExchange: Bool = true
    ) throws(KilnError) {
        try model.validate()
        self.model = model
        self.learningRate = learningRate
        self.schedule = schedule
        self.backend = backend
        self.distributed = distributed
        var built = try Trainer.buildStep(
            model: model, optimizer: optimizer, clipping: clipping,
            exchange: distributed.map { _ in GradientBuckets(bucketBytes: bucketBytes, overlapped: overlapsExchange) })
        if distributed != nil { built = Trainer.withExampleOffset(built) }
        graph = built.graph
        try OperatorRegistry.verify(graph)
        var parameters = try model.initialParameters()
        for node in graph.parameters where parameters[node.name] == nil {
            let initializer = try ParameterInitializer(attributes: node.attributes)
            parameters[node.name] = TensorValue(
                shape: node.type.shape,
                floats: initializer.values(count: node.type.shape.elementCount, seed: model.seed, name: node.name))
        }
        step = try Compilation.executable(
            graph, parameters: parameters, isTraining: true, optimization: optimization, backend: backend)
        phases = built.phases.carried(from: graph, to: step.graph)
        try synchronize()
    }

    /// The training-step graph of `model`: forward, loss, backward, clipping and the optimizer's
    /// updates (as `updates` of the graph), before any optimization. With `bucketBytes`, the step
    /// a distributed trainer builds: synchronized batch statistics and the gradients exchanged in
    /// buckets of that size, overlapped with backward or not (`overlapsExchange`).
    public static func stepGraph(
        model: Model, optimizer: any Optimizer, clipping: GradientClipping = .none, bucketBytes: Int? = nil,
        overlapsExchange: Bool = true
    ) throws(KilnError) -> Graph {
        let exchange = bucketBytes.map { GradientBuckets(bucketBytes: $0, overlapped: overlapsExchange) }
        return try buildStep(model: model, optimizer: optimizer, clipping: clipping, exchange: exchange).graph
    }

    /// The training-step graph and where its backward and update nodes start; with `exchange`
    /// (distributed), the gradients are exchanged in its buckets.
    private static func buildStep(
        model: Model, optimizer: any Optimizer, clipping: GradientClipping, exchange: GradientBuckets?
    ) throws(KilnError) -> (graph: Graph, phases: GraphPhases) {
        let context = try model.trainingContext()
        // Distributed: batch statistics over the global batch, so N ranks normalize as one process.
        if exchange != nil { context.builder = GraphBuilder(graph: try context.graph.synchronizingBatchNorm()) }
        guard let lossOutput = context.graph.outputs.first(where: { $0.name == "loss" }) else {
            throw .invalidArgument("model '\(model.name)' declares no loss (call loss(_:) in its body)")
        }
        let trainable = context.graph.parameters.filter { $0.attributes.bool("trainable", default: true) }
        guard !trainable.isEmpty else { throw .invalidArgument("model '\(model.name)' has no trainable parameters") }
        let backwardStart = context.graph.nodes.count
        let gradientIDs = try context.builder.gradients(of: lossOutput.node, wrt: trainable.map(\.id))
        let exchangeStart = context.graph.nodes.count
        var gradients = gradientIDs.map { Tensor(context: context, id: $0) }
        if let exchange { gradients = exchange.exchange(gradients) }
        let updateStart = context.graph.nodes.count
        gradients = clipping.apply(gradients, context: context)
        let learningRate = context.input(learningRateInput, [])
        let counter = context.stateParameter(stepCounter, shape: [])
        let stepNumber = counter + 1
        context.assign(counter, stepNumber)
        for (node, gradient) in zip(trainable, gradients) {
            let parameter = Tensor(context: context, id: node.id)
            var optimizerContext = OptimizerContext(
                graph: context, learningRate: learningRate, step: stepNumber, parameter: parameter)
            context.assign(parameter, optimizer.update(parameter, gradient: gradient, context: &optimizerContext))
        }
        if let error = context.firstError { throw error }
        let phases = GraphPhases(backwardStart: backwardStart, updateStart: updateStart)
        guard updateStart > exchangeStart else { return (context.graph, phases) }
        // Each bucket's exchange starts right after its last gradient: the exchange counts as backward.
        let order = context.graph.eagerOrder(GradientBuckets.eagerNodes(exchangeStart..<updateStart, of: context.graph))
        var placed = phases
        placed.perNode = order.map { phases.phase(of: NodeID($0)) }
        return (context.graph.reordered(order), placed)
    }

    /// A factor on the schedule's rate, for adjustments made while training (`ReduceOnPlateau`).
    public var learningRateMultiplier = 1.0

    /// The learning rate the next step uses.
    public var currentLearningRate: Double { schedule.rate(base: learningRate, step: stepsTaken) * learningRateMultiplier }

    /// Runs one training step on `inputs` (the model's inputs, by name) and returns every output
    /// of the step (`loss` among them) computed before the update. A loss that is NaN or infinite
    /// throws `KilnError.nonfiniteLoss` naming the step and `epoch` (1-based, when given), unless
    /// `allowsNonfiniteLoss` is set.
    @discardableResult
    public func train(_ inputs: [String: TensorValue], epoch: Int? = nil) throws(KilnError) -> [String: TensorValue] {
        var feed = inputs
        feed[Trainer.learningRateInput] = TensorValue(shape: [], floats: [Float(currentLearningRate)])
        if graph.node(named: GraphContext.randomSeedInput)?.op == Node.inputOp {
            var generator = SeededGenerator(seed: model.seed, stream: "step \(stepsTaken)")
            feed[GraphContext.randomSeedInput] = TensorValue(
                dtype: .int64, shape: [], integers: [Int64(bitPattern: generator.next())])
        }
        distributedFeed(&feed, rows: graph.node(named: "x")?.type.shape.dimensions.first ?? 0)
        let outputs = try measuringExchange { () throws(KilnError) in try averagedLoss(try step.run(feed)) }
        stepsTaken = stepsTaken < .max ? stepsTaken + 1 : .max
        if !allowsNonfiniteLoss, let loss = outputs["loss"]?.floats.first, !loss.isFinite {
            throw .nonfiniteLoss(NonfiniteLoss(loss: Double(loss), step: stepsTaken, epoch: epoch))
        }
        return outputs
    }

    /// Every persistent tensor of the step: parameters and optimizer state, by name.
    public func checkpoint() -> [String: TensorValue] { step.parameters() }

    /// Restores a checkpoint; the names and shapes must match the training step's exactly.
    public func restore(_ tensors: [String: TensorValue], stepsTaken: Int) throws(KilnError) {
        guard stepsTaken >= 0 else { throw .invalidArgument("a checkpoint cannot have taken \(stepsTaken) steps") }
        _ = try graph.parametersToLoad(tensors.mapValues(\.type), matching: .strict, source: "checkpoint")
        try step.load(parameters: tensors, matching: .partial)
        self.stepsTaken = stepsTaken
    }

    /// Runs the model in evaluation mode on `inputs`, PyTorch's `model.eval()` without rebuilding
    /// the model: the inference graph (dropout off, batch norm on its running statistics) with the
    /// parameters and running statistics trained so far. The inference program is compiled once,
    /// on the first call, and takes the current values at every call; training goes on after it.
    public func evaluate(_ inputs: [String: TensorValue]) throws(KilnError) -> [String: TensorValue] {
        let program: Executable
        if let evaluation {
            program = evaluation
        } else {
            program = try model.compile(backend: backend)
            evaluation = program
        }
        try copyTrainedParameters(into: program)
        return try program.run(inputs)
    }

    /// Copies the parameters and running statistics trained so far into `executable`, an
    /// inference program of the model.
    public func copyTrainedParameters(into executable: Executable) throws(KilnError) {
        for (name, value) in trainedParameters() { try executable.setParameter(name, value) }
    }

    /// The trainable parameters' current values, for an inference executable.
    public func trainedParameters() -> [String: TensorValue] {
        let all = step.parameters()
        return Dictionary(uniqueKeysWithValues: model.graph.parameters.compactMap { node in
            all[node.name].map { (node.name, $0) }
        })
    }
}
