import KilnC
import KilnIR

/// Everything Kiln knows about one operator, in one place: its shape rule, its float64 reference
/// semantics, its gradient, its cost, how it fuses, its C code and the cases it is tested on.
///
/// Each operator lives in one file under `Sources/KilnOps/<Family>/` and is listed once in
/// `OperatorRegistry.all`; the conformance and gradient tests iterate over the registry.
public protocol Operator: Sendable {
    /// The operator's name in the IR (`matmul`).
    var mnemonic: String { get }

    /// The number of inputs the operator accepts.
    var arity: ClosedRange<Int> { get }

    /// The output type for these inputs and attributes, or a `ShapeError` naming the input at fault.
    func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType

    /// The float64 reference: the definition every backend is tested against.
    func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor

    /// Writes the C statements that compute the output (the body of the operator's kernel).
    func emitC(_ kernel: inout KernelContext)

    /// Bytes of scratch memory the C code needs (im2col buffers, ...); 0 by default.
    func scratchBytes(_ signature: OperatorSignature) -> Int

    /// FLOPs, MACs and bytes moved; the convention is in `OperatorCost`.
    func cost(_ signature: OperatorSignature) -> OperatorCost

    /// How the operator fuses with its neighbours.
    var fusionKind: FusionKind { get }

    /// Whether `emitC` reads each element of input 0 exactly once, and only through
    /// `KernelContext.load`, so that fusion may compute input 0 in an elementwise prologue instead
    /// of loading it from memory. False by default.
    var acceptsPrologue: Bool { get }

    /// The gradients of the node's inputs, built with graph operations from the gradient of its
    /// output (`context.outputGradient`); nil for an input that gets no gradient (an index input).
    /// The default says the operator is not differentiable.
    func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?]

    /// The configurations the operator is tested in.
    var testCases: [OperatorTestCase] { get }

    /// The algorithm and layout the rules choose for a node of this signature, and why; nil (the
    /// default) for an operator with one way of computing. `KernelPlan.rules` collects them.
    func kernelChoice(_ signature: OperatorSignature) -> KernelChoice?

    /// The algorithms `emitC` can compute a node of this signature with (`signature.algorithm`);
    /// empty by default.
    func kernelAlgorithms(_ signature: OperatorSignature) -> [KernelAlgorithm]
}

extension Operator {
    public func scratchBytes(_ signature: OperatorSignature) -> Int { 0 }

    public var acceptsPrologue: Bool { false }

    public func kernelChoice(_ signature: OperatorSignature) -> KernelChoice? { nil }

    public func kernelAlgorithms(_ signature: OperatorSignature) -> [KernelAlgorithm] { [] }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        .streaming(signature, flopsPerElement: 1)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        throw context.notDifferentiable("\(mnemonic) has no gradient rule")
    }

    /// Checks the input count against `arity`.
    func checkArity(_ inputs: [TensorType]) throws(ShapeError) {
        guard arity.contains(inputs.count) else {
            let expected = arity.lowerBound == arity.upperBound ? "\(arity.lowerBound)" : "\(arity.lowerBound) to \(arity.upperBound)"
            throw ShapeError("expected \(expected) inputs, got \(inputs.count)")
        }
    }
}

/// What an operator's C emitter works with: the writer, the node's signature and the C names of
/// its input and output pointers.
public struct KernelContext {
    /// Where the C goes.
    public var writer: CWriter
    /// The node's input types, attributes and output type.
    public let signature: OperatorSignature
    /// C expressions for the input pointers, in operand order.
    public let inputs: [String]
    /// The C expression for the output pointer.
    public let output: String
    /// The C expression for the scratch pointer (`unsigned char *`), valid when `scratchBytes > 0`.
    public let scratch: String
    /// Replaces loads of input elements (fusion computes them in an elementwise prologue); nil
    /// reads them from the input pointers.
    public var loader: InputLoader?
    /// A bias the emitter leaves out of its output for the kernel's elementwise pass to add, in
    /// the same pass over the output as the fused epilogue (activation, residual add, scale); nil
    /// when the emitter writes its complete output.
    public var deferredBias: DeferredBias?
    /// Writes the kernel's fused elementwise epilogue (activation, residual add, scale; plus `bias`
    /// when given) over part of one output plane, so that an emitter can apply it to each block
    /// of output while the block is still in cache; nil when the kernel has no epilogue or its
    /// operands are not laid out per plane (see `PlaneRange`).
    public var planeEpilogue: PlaneEpilogue?
    /// Set by an emitter that applied `planeEpilogue` to every output element (with its bias, if
    /// any): the kernel then writes no separate pass over the output.
    public var appliedPlaneEpilogue = false

    /// Output elements [image, channel, start..<end) of an [N, C, ...] output, the axes after the
    /// channel flattened: C expressions evaluated once, before the elements.
    public struct PlaneRange {
        public var image: String
        public var channel: String
        public var start: String
        public var end: String
        public init(image: String, channel: String, start: String, end: String) {
            self.image = image
            self.channel = channel
            self.start = start
            self.end = end
        }
    }

    /// Writes the epilogue over `range` (see `planeEpilogue`).
    public typealias PlaneEpilogue = (_ writer: inout CWriter, _ range: PlaneRange, _ bias: DeferredBias?) -> Void

    /// Input `input`, a vector added along output axis `axis` (a convolution's per-channel bias).
    public struct DeferredBias: Sendable {
        public var input: Int
        public var axis: Int
        public init(input: Int, axis: Int) {
            self.input = input
            self.axis = axis
        }
    }

    /// Statements that compute the element of input `input` at C offset expression `offset`
    /// (local names suffixed with `tag`, unique within one block), and the value.
    public typealias InputLoader = (_ input: Int, _ offset: String, _ tag: String) -> (setup: [String], value: String)

    /// Creates a kernel context.
    public init(writer: CWriter, signature: OperatorSignature, inputs: [String], output: String, scratch: String) {
        self.writer = writer
        self.signature = signature
        self.inputs = inputs
        self.output = output
        self.scratch = scratch
    }

    /// The node's attributes.
    public var attributes: Attributes { signature.attributes }

    /// The statements and value that read element `offset` of input `input`: `x0[offset]`, or the
    /// fused prologue's computation of it.
    public func load(_ input: Int, at offset: String, tag: String) -> (setup: [String], value: String) {
        loader?(input, offset, tag) ?? ([], "\(inputs[input])[\(offset)]")
    }
}
