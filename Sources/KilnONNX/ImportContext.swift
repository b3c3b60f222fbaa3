import KilnIR
import KilnOps

/// The state of one import: the graph being built, which node holds each ONNX value, and the
/// values known at import time (initializers, `Constant`s, shape arithmetic) that operators such
/// as `Reshape` need as attributes.
struct ImportContext {
    var builder: GraphBuilder
    /// The node computing each ONNX value.
    var values: [String: NodeID] = [:]
    /// Values known at import time.
    var constants: [String: TensorValue] = [:]
    /// Float initializers, which become trainable parameters when used as data.
    var initializers: [String: TensorValue] = [:]
    /// Parameter values of the imported graph, by node name.
    var parameters: [String: TensorValue] = [:]
    /// The model's ONNX opset (some operators changed meaning between opsets).
    let opset: Int

    init(name: String, opset: Int) {
        builder = GraphBuilder(name: name)
        self.opset = opset
    }

    /// The node holding ONNX value `name`: a computed node, a parameter created from a float
    /// initializer on first use, or a constant node for a value known at import time.
    mutating func node(_ name: String, for node: ONNXNode) throws(KilnError) -> NodeID {
        if let id = values[name] { return id }
        if let value = initializers[name] {
            let id = builder.leaf(
                Node.parameterOp, type: value.type, name: name,
                provenance: Provenance(layer: node.name, file: "", line: 0))
            parameters[builder.graph[id].name] = value
            values[name] = id
            return id
        }
        if let value = constants[name] {
            let id = builder.leaf(
                Node.constantOp, type: value.type, name: name, attributes: ["value": .floats(value.doubles)],
                provenance: Provenance(layer: node.name))
            values[name] = id
            return id
        }
        throw node.error("input '\(name)' is not produced by any earlier node, initializer or graph input")
    }

    /// The node for input `index` of `node`, which must be present.
    mutating func input(_ index: Int, of node: ONNXNode) throws(KilnError) -> NodeID {
        guard let name = node.input(index) else { throw node.error("missing required input \(index)") }
        return try self.node(name, for: node)
    }

    /// The import-time value of input `index` of `node`, or nil when it is computed at run time
    /// or omitted.
    func constant(_ index: Int, of node: ONNXNode) -> TensorValue? {
        guard let name = node.input(index) else { return nil }
        return constants[name] ?? initializers[name]
    }

    /// The import-time integer values of input `index`, which must be known.
    func integers(_ index: Int, of node: ONNXNode, what: String) throws(KilnError) -> [Int]? {
        guard node.input(index) != nil else { return nil }
        guard let value = constant(index, of: node) else {
            throw node.error("the \(what) (input \(index)) must be known at import time; Kiln graphs have static shapes")
        }
        if value.type.dtype.isInteger { return value.integers.map { Int($0) } }
        var result: [Int] = []
        for element in value.floats {
            guard let integer = Int(exactly: element.rounded(.towardZero)) else {
                throw node.error("the \(what) (input \(index)) holds \(element), not an integer")
            }
            result.append(integer)
        }
        return result
    }

    /// Records `value` as the import-time value of ONNX value `name` and returns a constant node
    /// holding it (pruned when only shape arguments use it).
    mutating func define(_ name: String, _ value: TensorValue, for node: ONNXNode) throws(KilnError) -> NodeID {
        constants[name] = value
        values[name] = nil
        return try self.node(name, for: node)
    }

    /// The type of node `id`.
    func type(of id: NodeID) -> TensorType { builder.graph[id].type }

    /// Appends a Kiln operator for `node`, named after it.
    mutating func add(_ op: String, _ inputs: [NodeID], attributes: Attributes = [:], for node: ONNXNode) throws(KilnError) -> NodeID {
        try builder.add(op, inputs, attributes: attributes, name: node.name, provenance: Provenance(layer: node.name))
    }

    /// A float32 constant of `shape` holding `values` (one value fills the shape).
    mutating func constant(_ values: [Double], shape: Shape, for node: ONNXNode) -> NodeID {
        builder.leaf(Node.constantOp, type: TensorType(.float32, shape), name: "\(node.name).const",
                     attributes: ["value": .floats(values)], provenance: Provenance(layer: node.name))
    }

    /// A float32 scalar constant.
    mutating func scalar(_ value: Double, for node: ONNXNode) -> NodeID {
        builder.leaf(Node.constantOp, type: TensorType(.float32, []), name: "\(node.name).const",
                     attributes: ["value": .floats([value])], provenance: Provenance(layer: node.name))
    }
}
