import KilnIR

/// The theoretical receptive field of every node of an image graph, and its cumulative stride
/// ("jump"): how many input pixels one output step moves.
///
/// Bottom-up recursion (catalog §5.4): a window of k taps with dilation d has
/// k_eff = d·(k − 1) + 1 and gives `rf = rf_in + (k_eff − 1)·jump_in`, `jump = jump_in·s`.
/// Padding does not enter, nor does the input size. Where branches meet (add, concat) the larger
/// field wins. Global pooling and fully connected layers see the whole input: `global`.
public struct ReceptiveField: Sendable, Hashable, CustomStringConvertible {
    /// Receptive field (height, width) in input pixels, or nil when global or not spatial.
    public var size: (height: Int, width: Int)?
    /// Cumulative stride (height, width).
    public var jump: (height: Int, width: Int)
    /// Whether the node sees the whole input.
    public var isGlobal: Bool

    public static func == (a: ReceptiveField, b: ReceptiveField) -> Bool { a.description == b.description }
    public func hash(into hasher: inout Hasher) { hasher.combine(description) }

    /// `7x7 /2`, `global`, or empty for non-spatial nodes.
    public var description: String {
        if isGlobal { return "global" }
        guard let size else { return "" }
        let field = size.height == size.width ? "\(size.height)" : "\(size.height)x\(size.width)"
        let stride = jump.height == jump.width ? "\(jump.height)" : "\(jump.height)x\(jump.width)"
        return "\(field) /\(stride)"
    }

    static let pixel = ReceptiveField(size: (1, 1), jump: (1, 1), isGlobal: false)
    static let global = ReceptiveField(size: nil, jump: (1, 1), isGlobal: true)
    static let none = ReceptiveField(size: nil, jump: (1, 1), isGlobal: false)

    /// The receptive field of every node of `graph`, indexed by node. Graph inputs of rank 4
    /// (NCHW images) start at one pixel.
    public static func analyze(_ graph: Graph) -> [ReceptiveField] {
        var fields: [ReceptiveField] = []
        for node in graph.nodes {
            let inputs = node.inputs.map { fields[$0.index] }
            fields.append(field(of: node, graph: graph, inputs: inputs))
        }
        return fields
    }

    private static let globalOperators: Set<String> = ["global_avg_pool", "global_max_pool", "adaptive_avg_pool2d", "matmul", "softmax"]

    private static func field(of node: Node, graph: Graph, inputs: [ReceptiveField]) -> ReceptiveField {
        if node.op == Node.inputOp { return node.type.shape.rank == 4 ? .pixel : .none }
        if node.isLeaf { return .none }
        let data = inputs.first ?? .none
        if inputs.contains(where: \.isGlobal) || (globalOperators.contains(node.op) && (data.size != nil || data.isGlobal)) {
            return .global
        }
        guard let size = data.size else { return .none }
        guard node.type.shape.rank == 4 else { return node.op == "reshape" ? .global : .none }
        if let window = window(of: node, graph: graph) {
            let effective = (window.dilation.0 * (window.kernel.0 - 1) + 1, window.dilation.1 * (window.kernel.1 - 1) + 1)
            return ReceptiveField(
                size: (size.height + (effective.0 - 1) * data.jump.height, size.width + (effective.1 - 1) * data.jump.width),
                jump: (data.jump.height * window.stride.0, data.jump.width * window.stride.1), isGlobal: false)
        }
        let spatial = inputs.filter { $0.size != nil }
        let largest = spatial.max { ($0.size!.height, $0.size!.width) < ($1.size!.height, $1.size!.width) } ?? data
        return largest
    }

    /// Kernel, stride and dilation (height, width) of a windowed operator.
    private static func window(of node: Node, graph: Graph) -> (kernel: (Int, Int), stride: (Int, Int), dilation: (Int, Int))? {
        func pair(_ name: String, _ fallback: (Int, Int)) -> (Int, Int) {
            guard let values = node.attributes.ints(name), !values.isEmpty else { return fallback }
            return (values[0], values.count > 1 ? values[1] : values[0])
        }
        let kernel: (Int, Int)
        switch node.op {
        case "conv2d", "deform_conv2d":
            let weight = graph[node.inputs[node.op == "conv2d" ? 1 : 2]].type.shape
            kernel = (weight[2], weight[3])
        default:
            guard node.attributes.ints("kernel_size") != nil else { return nil }
            kernel = pair("kernel_size", (1, 1))
        }
        let defaultStride = node.op.hasSuffix("pool2d") ? kernel : (1, 1)
        return (kernel, pair("stride", defaultStride), pair("dilation", (1, 1)))
    }
}
