import KilnIR

/// An update rule, written as graph code: the update runs inside the compiled training step and
/// writes the parameter and the optimizer state in place.
public protocol Optimizer: Sendable {
    /// A short name (`adam`).
    var name: String { get }
    /// Appends the update of `parameter` given its `gradient`, and returns the parameter's new
    /// value. State (moments, accumulators) lives in slots created through `context`.
    func update(_ parameter: Tensor, gradient: Tensor, context: inout OptimizerContext) -> Tensor
}

/// What an optimizer's update builds with: the learning rate and step number of this step, and
/// persistent state slots for the parameter being updated.
public struct OptimizerContext {
    let graph: GraphContext
    /// The learning rate of this step (a scalar graph input, so schedules need no recompile).
    public let learningRate: Tensor
    /// The number of this step, 1 for the first (a scalar; bias corrections use it).
    public let step: Tensor
    /// The name of the parameter being updated.
    public let parameterName: String
    private let parameterShape: Shape

    init(graph: GraphContext, learningRate: Tensor, step: Tensor, parameter: Tensor) {
        self.graph = graph
        self.learningRate = learningRate
        self.step = step
        self.parameterName = parameter.name
        self.parameterShape = parameter.shape
    }

    /// A persistent state tensor shaped like the parameter, named `PARAMETER.NAME`, starting at `initial`.
    public func slot(_ name: String, initial: Double = 0) -> Tensor {
        graph.stateParameter("\(parameterName).\(name)", shape: parameterShape, initial: initial)
    }

    /// After the step, `slot` takes `value`.
    public func assign(_ slot: Tensor, _ value: Tensor) { graph.assign(slot, value) }

    /// A float32 scalar constant.
    public func constant(_ value: Double) -> Tensor { graph.constant(value, file: nil, line: nil) }
}

extension GraphContext {
    /// A persistent, non-trainable parameter (optimizer state, running statistics) starting at `initial`.
    public func stateParameter(_ name: String, shape: Shape, initial: Double = 0) -> Tensor {
        let initializer: ParameterInitializer = initial == 0 ? .zeros : .constant(initial)
        var attributes = initializer.attributes
        attributes["trainable"] = .bool(false)
        let id = builder.leaf(Node.parameterOp, type: TensorType(.float32, shape), name: name, attributes: attributes)
        if builder.graph[id].name != name { record(.invalidArgument("two state tensors are named '\(name)'")) }
        return Tensor(context: self, id: id)
    }

    /// After every run, `target` (a parameter) takes the value of `value`.
    public func assign(_ target: Tensor, _ value: Tensor) {
        guard target.type == value.type else {
            record(.invalidArgument("cannot assign \(value.type) '\(value.name)' to \(target.type) '\(target.name)'"))
            return
        }
        builder.graph.updates.append(GraphUpdate(target: target.id, value: value.id))
    }
}
