import KilnIR

/// The gradient of `max_pool2d`: each output gradient goes to the argmax of its window,
/// `dx[n, c, argmax(window)] += dy[n, c, oh, ow]`, recomputed from x (ties go to the first element
/// in row-major window order; overlapping windows add up).
///
/// Inputs: x [N, C, H, W], dy [N, C, Hout, Wout]; the attributes of the `max_pool2d` it
/// differentiates. Output [N, C, H, W]. C: the max-pooling pass carrying the offset, then one
/// scatter-add per window. Cost: one comparison per element read by a window plus one add per
/// window; bytes = x + dy read, dx written. No gradient rule (second derivatives of max pooling
/// are not implemented).
public struct MaxPool2DBackward: Operator {
    public init() {}
    public var mnemonic: String { "max_pool2d_backward" }
    public var arity: ClosedRange<Int> { 2...2 }
    public var fusionKind: FusionKind { .opaque }

    func window(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> PoolingWindow {
        try checkArity(inputs)
        let pooling = try MaxPool2D().window([inputs[0]], attributes)
        let dy = try requireImage(inputs, 1)
        guard dy == pooling.outputShape else {
            throw ShapeError("input 1 has shape \(dy); expected \(pooling.outputShape), the pooling output of input 0 of shape \(inputs[0].shape)")
        }
        return pooling
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        TensorType(.float32, try window(inputs, attributes).inputShape)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let pooling = try! window(signature.inputs, signature.attributes)
        let x = inputs[0].values, dy = inputs[1].values
        var dx = [Double](repeating: 0, count: x.count)
        var output = 0
        pooling.forEachWindow { plane, _, _, window in
            let base = plane * pooling.inputPlane
            dx[base + MaxPool2D.argmax(x, base: base, window: window)] += dy[output]
            output += 1
        }
        return ReferenceTensor(signature.output, dx)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let pooling = try! window(kernel.signature.inputs, kernel.signature.attributes)
        let dy = kernel.inputs[1], dx = kernel.output
        kernel.writer.line("memset(\(dx), 0, \(kernel.signature.output.byteCount));")
        pooling.writeWindowLoops(
            &kernel.writer, input: kernel.inputs[0], needsIndex: true,
            begin: { $0.line("float m = -KILN_INFINITY;"); $0.line("long best = 0;") },
            each: { $0.selectLarger("v", into: "m", carrying: (value: "index", into: "best")) },
            end: { $0.line("\(dx)[plane*\(pooling.inputPlane) + best] += \(dy)[plane*\(pooling.outputPlane) + o];") })
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        let pooling = try! window(signature.inputs, signature.attributes)
        return OperatorCost(
            flops: pooling.tapCount + pooling.outputShape.elementCount,
            bytesRead: signature.inputs.reduce(0) { $0 + $1.byteCount }, bytesWritten: signature.output.byteCount)
    }

    public var testCases: [OperatorTestCase] {
        MaxPool2D.windowTestCases.map { label, shape, attributes in
            let output = try! MaxPool2D().window([TensorType(.float32, shape)], attributes).outputShape
            return OperatorTestCase(
                label, inputs: [TensorType(.float32, shape), TensorType(.float32, output)], attributes: attributes,
                differentiable: false)
        }
    }
}
