import KilnIR
import Synchronization

/// Every operator Kiln knows, listed once. Tests iterate over `all`, so a new operator is tested
/// the moment it is registered here.
public enum OperatorRegistry {
    /// All operators, grouped by family.
    public static let all: [any Operator] = [
        // Elementwise unary
        Negate(), Absolute(), Exp(), Log(), Sqrt(), Rsqrt(), Square(), Reciprocal(), Sin(), Cos(),
        Relu(), Sigmoid(), Tanh(), Erf(), Floor(), Ceil(), Round(), StopGradient(), Cast(),
        // Activations
        LeakyRelu(), Prelu(), Elu(), Selu(), Silu(), Swish(), Mish(), Relu6(), HardSigmoid(), HardSwish(), Gelu(),
        Softplus(), Maxout(),
        // Normalization
        BatchNorm(), BatchNormTrain(), ChannelWindowSum(),
        // Elementwise binary
        Add(), Sub(), Mul(), Div(), Pow(), Maximum(), Minimum(),
        // Comparison and selection
        Equal(), NotEqual(), Less(), LessEqual(), Greater(), GreaterEqual(), Where(),
        // Linear algebra
        Matmul(),
        // Reductions
        ReduceSum(), ReduceMean(), ReduceMax(), ReduceMin(), Argmax(), Softmax(), LogSoftmax(),
        // Shape and data movement
        Reshape(), Transpose(), Expand(), Slice(), Concat(), Pad(), Gather(), GatherGrad(), OneHot(),
        // Random numbers
        RandomUniform(),
        // Communication between the ranks of a data-parallel job
        AllReduceMean(), AllReduceStart(), AllReduceWait(),
        // Convolution
        Conv2D(), Conv2DBackwardInput(), Conv2DBackwardWeight(), ConvTranspose2D(), DeformConv2D(), DeformConv2DBackward(),
        WinogradFilter(), Conv2DWinograd(), LSTMSequence(), LSTMSequenceBackward(),
        // Pooling and resampling
        MaxPool2D(), MaxPool2DIndices(), MaxPool2DBackward(), MaxUnpool2D(), MaxUnpool2DBackward(),
        AvgPool2D(), AvgPool2DBackward(), GlobalAvgPool(), GlobalMaxPool(),
        AdaptiveAvgPool2D(), AdaptiveAvgPool2DBackward(), LpPool2D(), SoftPool2D(), MixedPool2D(), StochasticPool2D(),
        MedianPool2D(),
        UpsampleNearest2D(), UpsampleNearest2DBackward(), UpsampleBilinear2D(), UpsampleBilinear2DBackward(),
    ]

    private static let byMnemonic: [String: any Operator] = Dictionary(
        all.map { ($0.mnemonic, $0) }, uniquingKeysWith: { first, _ in first })

    /// Operators registered from outside Kiln, by mnemonic.
    private static let custom = Mutex<[String: any Operator]>([:])

    /// The operator named `mnemonic`, if built in or registered.
    public static func `operator`(_ mnemonic: String) -> (any Operator)? {
        byMnemonic[mnemonic] ?? custom.withLock { $0[mnemonic] }
    }

    /// Registers an operator defined outside Kiln, so that graphs can use it by its mnemonic
    /// (every pass, the interpreter, the code generator and the cost model look operators up
    /// here). Registering the same operator type again is a no-op.
    ///
    /// - Throws: `KilnError.invalidArgument` when the mnemonic is not lowercase letters, digits
    ///   and underscores, or is taken by a built-in operator or by another registered type.
    public static func register(_ definition: any Operator) throws(KilnError) {
        let mnemonic = definition.mnemonic
        guard !mnemonic.isEmpty, mnemonic.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }) else {
            throw .invalidArgument("operator mnemonic '\(mnemonic)' must be lowercase letters, digits and underscores")
        }
        guard byMnemonic[mnemonic] == nil else {
            throw .invalidArgument("operator mnemonic '\(mnemonic)' is a built-in operator's")
        }
        let clash: String? = custom.withLock { registered in
            if let existing = registered[mnemonic] {
                return type(of: existing) == type(of: definition) ? nil : String(describing: type(of: existing))
            }
            registered[mnemonic] = definition
            return nil
        }
        if let clash { throw .invalidArgument("operator mnemonic '\(mnemonic)' is already registered by \(clash)") }
    }

    /// Checks `graph`'s structure (`Graph.verify`), then that every node's operator exists and its
    /// recorded type is the one the shape rule infers.
    public static func verify(_ graph: Graph) throws(KilnError) {
        try graph.verify()
        for node in graph.nodes where !node.isLeaf {
            let inputTypes = node.inputs.map { graph[$0].type }
            let context = NodeContext(op: node.op, name: node.name, inputTypes: inputTypes, provenance: node.provenance)
            guard let definition = `operator`(node.op) else { throw .unsupportedOperator(context) }
            let inferred: TensorType
            do {
                inferred = try definition.inferType(inputTypes, node.attributes)
            } catch {
                throw .shape(context, error)
            }
            guard inferred == node.type else {
                throw .invalidGraph("node \(node.id) '\(node.name)' (\(node.op)) is typed \(node.type) but its inputs give \(inferred)")
            }
        }
        for node in graph.nodes where node.op == Node.constantOp {
            guard let values = node.attributes.floats("value"),
                  values.count == node.type.shape.elementCount || values.count == 1 else {
                throw .invalidGraph("constant \(node.id) '\(node.name)' needs a 'value' list of 1 or \(node.type.shape.elementCount) numbers")
            }
            if node.type.dtype.isInteger, let bad = values.first(where: { !node.type.dtype.holdsExactly($0) }) {
                throw .invalidGraph(
                    "constant \(node.id) '\(node.name)' of type \(node.type) holds \(bad); an integer constant holds whole numbers in the range of \(node.type.dtype.rawValue)")
            }
        }
    }

    /// The cost of computed node `node` of `graph` (zero for leaves and unknown operators).
    public static func cost(of node: Node, in graph: Graph) -> OperatorCost {
        guard !node.isLeaf, let definition = `operator`(node.op) else { return OperatorCost(flops: 0, bytesRead: 0, bytesWritten: 0) }
        return definition.cost(signature(of: node, in: graph))
    }

    /// The bytes computed node `node` of `graph` moves when it runs as its own kernel.
    public static func bytesMoved(by node: Node, in graph: Graph) -> Int {
        let cost = cost(of: node, in: graph)
        return cost.bytesRead + cost.bytesWritten
    }

    /// The scratch bytes computed node `node` of `graph` needs when emitted by its operator's C.
    public static func scratchBytes(of node: Node, in graph: Graph) -> Int {
        guard !node.isLeaf, let definition = `operator`(node.op) else { return 0 }
        return definition.scratchBytes(signature(of: node, in: graph))
    }

    /// The signature of `node` in `graph`.
    public static func signature(of node: Node, in graph: Graph) -> OperatorSignature {
        OperatorSignature(inputs: node.inputs.map { graph[$0].type }, attributes: node.attributes, output: node.type)
    }
}
