import KilnC
import KilnIR

/// One-hot rows from integer indices: input 0 (i64 or i32) of shape `S` gives a float32 tensor of
/// shape `S + [depth]` that is 1 at `[s..., index(s)]` and 0 elsewhere. Attribute `depth`
/// (required, ≥ 1). An index in `-depth ..< depth` picks that position (negative counts from the
/// end); an index outside that range gives a row of zeros.
///
/// A primitive because Kiln's comparisons are float32 only: it is the bridge from integer
/// positions (`argmax`) back to float masks, as hard attention needs (select the argmax key with a
/// matrix product) and local attention (find the window's centre).
///
/// Gradient: none (the input is integer). Cost: no FLOPs; the indices read, the output written.
public struct OneHot: Operator {
    public init() {}
    public var mnemonic: String { "one_hot" }
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .injective }

    func depth(_ attributes: Attributes) throws(ShapeError) -> Int {
        guard attributes["depth"] != nil else { throw ShapeError("missing attribute 'depth'") }
        let depth = try int(attributes, "depth", default: 0)
        guard depth >= 1 else { throw ShapeError("attribute 'depth' is \(depth); expected 1 or more") }
        return depth
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try checkArity(inputs)
        guard inputs[0].dtype.isInteger else {
            throw ShapeError("input 0 (indices) is \(inputs[0]); expected i64 or i32")
        }
        return TensorType(.float32, Shape(inputs[0].shape.dimensions + [try depth(attributes)]))
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let depth = signature.output.shape.dimensions.last ?? 1
        var values = [Double](repeating: 0, count: signature.output.shape.elementCount)
        for (row, index) in inputs[0].values.enumerated() {
            guard let position = ReferenceTensor.index(index), position >= -depth, position < depth else { continue }
            values[row * depth + (position < 0 ? position + depth : position)] = 1
        }
        return ReferenceTensor(signature.output, values)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let depth = kernel.signature.output.shape.dimensions.last ?? 1
        let rows = kernel.signature.inputs[0].shape.elementCount
        let indices = kernel.inputs[0], output = kernel.output
        kernel.writer.loop("r", count: rows) { row in
            row.line("long index = (long)\(indices)[r];")
            row.line("long position = index + \(depth) * (index < 0);")
            row.line("float *out = \(output) + r * \(depth);")
            row.loop("k", count: depth) { $0.line("out[k] = (float)(k == position);") }
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        OperatorCost(flops: 0, bytesRead: signature.inputs[0].byteCount, bytesWritten: signature.output.byteCount)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] { [nil] }

    public var testCases: [OperatorTestCase] {
        let cases: [(String, TensorType, Int, ClosedRange<Double>)] = [
            ("vector", .i64(5), 4, 0...4),
            ("scalar-index", .i64(), 3, 0...3),
            ("matrix-i32", TensorType(.int32, [2, 3]), 5, 0...5),
            ("negative-indices", .i64(6), 3, -3...3),
            ("out-of-range-rows-are-zero", .i64(8), 3, -6...6),
            ("depth-1", .i64(2, 1), 1, 0...1),
        ]
        return cases.map { label, type, depth, domain in
            OperatorTestCase(label, inputs: [type], attributes: ["depth": .int(depth)], domain: domain, differentiable: false)
        }
    }
}
