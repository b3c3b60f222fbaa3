import KilnC
import KilnIR

/// Maxout: the maximum over groups of `pieces` consecutive channels. Attributes `pieces`
/// (required, > 0, dividing the axis) and `axis` (default 1, the channel axis of NCHW; negative
/// counts from the end). Output channel c is max(x[c·k], …, x[c·k + k − 1]) for k = pieces: the
/// same grouping as reshaping the axis to [C/k, k] and reducing the k axis. The maxout unit
/// max_j(w_jᵀx + b_j) is a linear or convolution layer with k·C outputs followed by this.
///
/// The gradient goes to the maximal piece of each group (every maximal piece on a tie).
///
/// A primitive: one pass over each group, piece by piece along contiguous rows with a
/// branch-free select; its gradient is graph operations (reshape, equal, mul), so it needs no
/// argmax output.
public struct Maxout: Operator {
    public init() {}
    public var mnemonic: String { "maxout" }
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .reduction }

    /// The input viewed as [outer, channels, inner] and the group size.
    struct Layout {
        var outer: Int, channels: Int, inner: Int, pieces: Int, axis: Int
        var groups: Int { channels / pieces }
    }

    func layout(_ input: TensorType, _ attributes: Attributes) throws(ShapeError) -> Layout {
        guard input.dtype == .float32 else { throw ShapeError("input 0 is \(input); expected f32") }
        guard attributes["pieces"] != nil else { throw ShapeError("missing attribute 'pieces'") }
        let pieces = try int(attributes, "pieces", default: 1)
        guard pieces > 0 else { throw ShapeError("attribute 'pieces' is \(pieces); expected a positive integer") }
        let axis = try normalizedAxis(int(attributes, "axis", default: 1), of: input, index: 0, attribute: "axis")
        let dimensions = input.shape.dimensions
        guard dimensions[axis] % pieces == 0 else {
            throw ShapeError(
                "input 0 of shape \(input.shape) has \(dimensions[axis]) channels on axis \(axis), "
                    + "not divisible by pieces = \(pieces)")
        }
        return Layout(
            outer: dimensions[..<axis].reduce(1, *), channels: dimensions[axis],
            inner: dimensions[(axis + 1)...].reduce(1, *), pieces: pieces, axis: axis)
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try checkArity(inputs)
        let layout = try layout(inputs[0], attributes)
        var dimensions = inputs[0].shape.dimensions
        dimensions[layout.axis] = layout.groups
        return TensorType(.float32, Shape(dimensions))
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let l = try! layout(signature.inputs[0], signature.attributes)
        let x = inputs[0].values
        var values = [Double]()
        values.reserveCapacity(signature.output.shape.elementCount)
        for o in 0..<l.outer {
            for group in 0..<l.groups {
                for i in 0..<l.inner {
                    let pieces = (0..<l.pieces).map { x[(o * l.channels + group * l.pieces + $0) * l.inner + i] }
                    values.append(pieces.max()!)
                }
            }
        }
        return ReferenceTensor(signature.output, values)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let l = try! layout(kernel.signature.inputs[0], kernel.attributes)
        let x = kernel.inputs[0], y = kernel.output
        kernel.writer.loop("o", count: l.outer) { outer in
            outer.loop("g", count: l.groups) { group in
                group.line("const float *KILN_RESTRICT source = \(x) + (o * \(l.channels) + g * \(l.pieces)) * \(l.inner);")
                group.line("float *KILN_RESTRICT target = \(y) + (o * \(l.groups) + g) * \(l.inner);")
                group.loop("i", count: l.inner) { inner in inner.line("target[i] = source[i];") }
                if l.pieces > 1 {
                    group.block("for (long p = 1; p < \(l.pieces); p++)") { piece in
                        piece.line("const float *KILN_RESTRICT row = source + p * \(l.inner);")
                        piece.loop("i", count: l.inner) { inner in inner.selectLarger("row[i]", into: "target[i]") }
                    }
                }
            }
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        OperatorCost(
            flops: signature.inputs[0].shape.elementCount - signature.output.shape.elementCount,
            bytesRead: signature.inputs[0].byteCount, bytesWritten: signature.output.byteCount)
    }

    /// The input viewed as [..., C/k, k, ...] against the output viewed as [..., C/k, 1, ...]:
    /// the output gradient goes where they are equal.
    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let x = context.input(0)
        let inputShape = context.type(of: x).shape.dimensions
        let attributes = context.node.attributes
        let l = try context.checked { () throws(ShapeError) in try layout(context.type(of: x), attributes) }
        let grouped = Array(inputShape[..<l.axis]) + [l.groups, l.pieces] + Array(inputShape[(l.axis + 1)...])
        let reduced = Array(inputShape[..<l.axis]) + [l.groups, 1] + Array(inputShape[(l.axis + 1)...])
        let pieces = try context.add("reshape", [x], attributes: ["shape": .ints(grouped)])
        let best = try context.add("reshape", [context.node.id], attributes: ["shape": .ints(reduced)])
        let gradient = try context.add("reshape", [context.outputGradient], attributes: ["shape": .ints(reduced)])
        let isBest = try context.add("equal", [pieces, best])
        let routed = try context.add("mul", [isBest, gradient])
        return [try context.add("reshape", [routed], attributes: ["shape": .ints(inputShape)])]
    }

    public var testCases: [OperatorTestCase] {
        [
            OperatorTestCase("channels", inputs: [.f32(2, 6, 3, 3)], attributes: ["pieces": .int(2)]),
            OperatorTestCase("last-axis", inputs: [.f32(4, 6)], attributes: ["pieces": .int(3), "axis": .int(-1)]),
            OperatorTestCase("one-group", inputs: [.f32(6)], attributes: ["pieces": .int(6), "axis": .int(0)]),
            OperatorTestCase("one-piece", inputs: [.f32(2, 3)], attributes: ["pieces": .int(1)]),
            OperatorTestCase("size-1", inputs: [.f32(1, 2, 1, 1)], attributes: ["pieces": .int(2)]),
        ]
    }
}
