import KilnIR

/// What an operator sees of one node: its input types, attributes and inferred output type.
public struct OperatorSignature: Sendable, Hashable {
    /// The types of the inputs, in operand order.
    public var inputs: [TensorType]
    /// The node's attributes.
    public var attributes: Attributes
    /// The output type the shape rule inferred.
    public var output: TensorType
    /// The algorithm the kernel plan chose for the node (`KernelPlan`); nil where the operator
    /// has one way of computing, or the node is emitted by the rules' choice.
    public var algorithm: KernelAlgorithm?

    /// Creates a signature.
    public init(inputs: [TensorType], attributes: Attributes, output: TensorType, algorithm: KernelAlgorithm? = nil) {
        self.inputs = inputs
        self.attributes = attributes
        self.output = output
        self.algorithm = algorithm
    }
}

/// Cost of one operator application. The convention: one multiply-accumulate is one MAC and
/// two FLOPs; `flops` counts every floating-point operation (so it includes `2 * macs`);
/// bytes count each input read once and the output written once.
public struct OperatorCost: Sendable, Hashable {
    /// Multiply-accumulates.
    public var macs: Int
    /// Floating-point operations, `2 * macs` included.
    public var flops: Int
    /// Bytes read from inputs.
    public var bytesRead: Int
    /// Bytes written to the output.
    public var bytesWritten: Int

    /// Creates a cost record.
    public init(macs: Int = 0, flops: Int, bytesRead: Int, bytesWritten: Int) {
        self.macs = macs
        self.flops = flops
        self.bytesRead = bytesRead
        self.bytesWritten = bytesWritten
    }

    /// FLOPs per byte moved.
    public var arithmeticIntensity: Double {
        let bytes = bytesRead + bytesWritten
        return bytes == 0 ? 0 : Double(flops) / Double(bytes)
    }

    /// The cost of a GEMM-shaped operator: `macs` multiply-accumulates (2 FLOPs each) plus
    /// `otherFlops` (bias adds, sampling), every input read once and the output written once.
    public static func multiplyAccumulate(_ signature: OperatorSignature, macs: Int, otherFlops: Int = 0) -> OperatorCost {
        OperatorCost(
            macs: macs, flops: 2 * macs + otherFlops,
            bytesRead: signature.inputs.reduce(0) { $0 + $1.byteCount }, bytesWritten: signature.output.byteCount)
    }

    /// The cost of reading every input once, writing the output once, and `flopsPerElement` per output element.
    public static func streaming(_ signature: OperatorSignature, flopsPerElement: Int) -> OperatorCost {
        OperatorCost(
            flops: flopsPerElement * signature.output.shape.elementCount,
            bytesRead: signature.inputs.reduce(0) { $0 + $1.byteCount },
            bytesWritten: signature.output.byteCount)
    }
}

/// How an operator may combine with its neighbours into one kernel.
public enum FusionKind: String, Sendable, Hashable {
    /// One output element from the same-index input elements (relu, add of equal shapes).
    case elementwise
    /// Elementwise with broadcast inputs.
    case broadcast
    /// Each output element reads one input element at a computed index (transpose, slice, pad).
    case injective
    /// Reduces over axes (sum, softmax statistics).
    case reduction
    /// Heavy computation whose elementwise consumers can run in its epilogue (matmul, conv).
    case outputFusable
    /// Never fused.
    case opaque
}
