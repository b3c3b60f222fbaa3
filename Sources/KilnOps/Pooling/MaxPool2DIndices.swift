import KilnIR

/// The argmax of 2-D max pooling: for each window of `max_pool2d` (same attributes), the in-plane
/// offset `ih·W + iw` of its largest input element (the first in row-major window order on ties),
/// as int64 — PyTorch's `return_indices`, the input of `max_unpool2d`.
///
/// Input x [N, C, H, W]; output i64 [N, C, Hout, Wout]. C: the max-pooling pass carrying the
/// offset with selects. Cost: one comparison per element read by a window; bytes = x read, the
/// indices written. Indices carry no gradient.
public struct MaxPool2DIndices: Operator {
    public init() {}
    public var mnemonic: String { "max_pool2d_indices" }
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .opaque }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        TensorType(.int64, try MaxPool2D().window(inputs, attributes).outputShape)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let pooling = try! MaxPool2D().window(signature.inputs, signature.attributes)
        var indices: [Double] = []
        pooling.forEachWindow { plane, _, _, window in
            indices.append(Double(MaxPool2D.argmax(inputs[0].values, base: plane * pooling.inputPlane, window: window)))
        }
        return ReferenceTensor(signature.output, indices)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let pooling = try! MaxPool2D().window(kernel.signature.inputs, kernel.signature.attributes)
        let y = kernel.output
        pooling.writeWindowLoops(
            &kernel.writer, input: kernel.inputs[0], needsIndex: true,
            begin: { $0.line("float m = -KILN_INFINITY;"); $0.line("long best = 0;") },
            each: { $0.selectLarger("v", into: "m", carrying: (value: "index", into: "best")) },
            end: { $0.line("\(y)[plane*\(pooling.outputPlane) + o] = (int64_t)best;") })
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        let pooling = try! MaxPool2D().window(signature.inputs, signature.attributes)
        return OperatorCost(flops: pooling.tapCount, bytesRead: signature.inputs[0].byteCount, bytesWritten: signature.output.byteCount)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] { [nil] }

    public var testCases: [OperatorTestCase] {
        MaxPool2D.windowTestCases.map {
            OperatorTestCase($0, inputs: [TensorType(.float32, $1)], attributes: $2, differentiable: false)
        }
    }
}
