import KilnIR
import KilnOps

/// Whether a graph computes inference or a training step.
public enum ExecutionMode: String, Sendable {
    /// Forward only; dropout is the identity, normalizations use running statistics.
    case inference
    /// Forward, loss, backward and optimizer update; dropout and batch statistics are active.
    case training
}

/// The graph a model is being built into, shared by every `Tensor` of that model.
///
/// DSL arithmetic cannot throw, so the context records the first error (with the user's file and
/// line) and `Model.compile()` throws it.
public final class GraphContext {
    var builder: GraphBuilder
    /// The first error met while building, if any.
    public private(set) var firstError: KilnError?
    private var layerNames: [ObjectIdentifier: String] = [:]
    private var parameterNodes: [ObjectIdentifier: NodeID] = [:]
    /// The layers and parameters keyed above, kept alive while the graph is built so that no
    /// identifier is reused by a new object.
    private var retained: [AnyObject] = []
    /// Every layer named so far, in the order of its first call.
    private(set) var layerRecords: [LayerRecord] = []
    /// The layer calls in progress, outermost first.
    private var layerCalls: [LayerCall] = []
    private var randomStreams = 0

    /// Whether the graph is built for inference or for a training step.
    public let mode: ExecutionMode

    init(name: String, mode: ExecutionMode) {
        builder = GraphBuilder(name: name)
        self.mode = mode
    }

    /// Whether the graph is a training step (dropout active, batch statistics, ...).
    public var isTraining: Bool { mode == .training }

    /// The graph built so far.
    public var graph: Graph { builder.graph }

    /// A new stream number for a random-mask site.
    func nextRandomStream() -> Int {
        randomStreams += 1
        return randomStreams
    }

    /// Records `error` unless an earlier one is recorded.
    func record(_ error: KilnError) {
        if firstError == nil { firstError = error }
    }

    /// The provenance of a node created now, at the user's `file` and `line` (or, for operators
    /// that cannot take a location, `a + b`, at the innermost layer call).
    /// Locations inside Kiln's own sources (`Kiln/...`) are replaced by the innermost user call
    /// site, so that nodes a built-in layer creates point at the line that called the layer.
    func provenance(file: String?, line: Int?) -> Provenance {
        let location = userLocation(file: file, line: line) ?? ("", 0)
        return Provenance(layer: layerCalls.last?.name ?? "", file: location.0, line: location.1)
    }

    /// Appends an operator node; on a shape error records it and returns `fallback`'s node so that
    /// building can go on (compile() will throw).
    func apply(
        _ op: String, _ inputs: [Tensor], attributes: Attributes = [:], file: String?, line: Int?
    ) -> Tensor {
        for input in inputs where input.context !== self {
            record(.invalidArgument("\(op): input '\(input.name)' belongs to another model's graph"))
            return inputs[0]
        }
        do {
            let id = try builder.add(
                op, inputs.map(\.id), attributes: attributes, provenance: provenance(file: file, line: line))
            return Tensor(context: self, id: id)
        } catch {
            record(error)
            return inputs.first ?? constant(0, file: file, line: line)
        }
    }

    /// Appends a graph input.
    func input(_ name: String, _ type: TensorType, file: String, line: Int) -> Tensor {
        let id = builder.leaf(Node.inputOp, type: type, name: name, provenance: Provenance(file: file, line: line))
        if builder.graph[id].name != name {
            record(.invalidArgument("two inputs are named '\(name)' (\(file):\(line))"))
        }
        return Tensor(context: self, id: id)
    }

    /// Appends a float32 constant holding `values` (one value fills the shape).
    func constant(_ values: [Double], shape: Shape = [], file: String?, line: Int?) -> Tensor {
        let id = builder.leaf(
            Node.constantOp, type: TensorType(.float32, shape), name: "const",
            attributes: ["value": .floats(values)], provenance: provenance(file: file, line: line))
        return Tensor(context: self, id: id)
    }

    func constant(_ value: Double, file: String?, line: Int?) -> Tensor {
        constant([value], file: file, line: line)
    }

    /// The stable name of `layer` in this graph: its own name when the user gave one; else its
    /// path from the layer that called it (`block.attention.query`, `features.0`, see
    /// `LayerPath`); else, at the top level, a unique name derived from its type (`linear_1`).
    func name(of layer: any Layer) -> String {
        let key = ObjectIdentifier(layer)
        if let name = layerNames[key] { return name }
        let name: String
        if let own = layer.name {
            name = builder.uniqueName(own)
        } else if let parent = layerCalls.last {
            name = builder.uniqueName("\(parent.name).\(LayerPath.segment(of: layer, in: parent.layer))")
        } else {
            name = builder.uniqueName(LayerPath.typeName(of: layer))
        }
        layerNames[key] = name
        layerRecords.append(LayerRecord(name: name, type: String(describing: type(of: layer)), parent: layerCalls.last?.name))
        retained.append(layer)
        return name
    }

    /// The node of `parameter`, created on first use: a parameter used by several layers or
    /// several time steps is one node.
    func node(for parameter: Parameter, in layer: String) -> Tensor {
        let key = ObjectIdentifier(parameter)
        if let id = parameterNodes[key] { return Tensor(context: self, id: id) }
        let name = layer.isEmpty ? parameter.name : "\(layer).\(parameter.name)"
        var attributes = parameter.initializer.attributes
        if !parameter.trainable { attributes["trainable"] = .bool(false) }
        let id = builder.leaf(
            Node.parameterOp, type: TensorType(.float32, parameter.shape), name: name, attributes: attributes,
            provenance: provenance(file: nil, line: nil))
        parameterNodes[key] = id
        retained.append(parameter)
        return Tensor(context: self, id: id)
    }

    private func userLocation(file: String?, line: Int?) -> (file: String, line: Int)? {
        if let file, !file.hasPrefix(GraphContext.libraryModule) || layerCalls.isEmpty { return (file, line ?? 0) }
        return layerCalls.last.map { ($0.file, $0.line) }
    }

    private static let libraryModule = "Kiln/"

    /// Runs `body` as a call of `layer` from `file` and `line`: the layer's name goes on the nodes
    /// `body` creates, and the call site (or, for a call from inside Kiln, the enclosing user call
    /// site) becomes their location.
    func within<Result>(_ layer: any Layer, file: String, line: Int, _ body: () -> Result) -> Result {
        let location = userLocation(file: file, line: line) ?? (file, line)
        let call = LayerCall(layer: layer, name: name(of: layer), file: location.file, line: location.line)
        layerCalls.append(call)
        defer { layerCalls.removeLast() }
        return body()
    }
}

/// A layer call in progress: the layer, its name in the graph, and the user's call site.
private struct LayerCall {
    let layer: any Layer
    let name: String
    let file: String
    let line: Int
}
