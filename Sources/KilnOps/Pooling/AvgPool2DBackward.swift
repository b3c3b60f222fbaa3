import KilnC
import KilnIR

/// The gradient of `avg_pool2d`: each output gradient, divided by its window's divisor, is added
/// to every input element of the window.
///
/// Input dy [N, C, Hout, Wout]. Attributes: those of the `avg_pool2d` it differentiates, plus
/// `input_size` [H, W] (the forward input's size, which stride > 1 leaves ambiguous). Output
/// [N, C, H, W]. C: where the windows tile the input exactly (stride = kernel, no padding, no
/// dilation, H and W multiples of the kernel: LeNet's 2×2 pooling), one pass that writes every
/// input gradient once, each row of windows as `kh` rows of each share repeated `kw` times (no
/// memset, no read-modify-write); otherwise a zeroing pass and one scatter-add pass per window. Cost: one add per element of a window plus a
/// division per window; bytes = dy read, dx written. Gradient (it is linear): `avg_pool2d`(g).
public struct AvgPool2DBackward: Operator {
    public init() {}
    public var mnemonic: String { "avg_pool2d_backward" }
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .opaque }

    func window(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> PoolingWindow {
        try checkArity(inputs)
        let dy = try requireImage(inputs, 0)
        let size = try SpatialPair.read(attributes, "input_size", default: nil, minimum: 1, op: self)
        var forwardAttributes = attributes
        forwardAttributes["input_size"] = nil
        let pooling = try AvgPool2D().window([.f32(dy[0], dy[1], size.height, size.width)], forwardAttributes)
        guard dy == pooling.outputShape else {
            throw ShapeError(
                "input 0 has shape \(dy); expected \(pooling.outputShape), the pooling output for attribute 'input_size' \(size)")
        }
        return pooling
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        TensorType(.float32, try window(inputs, attributes).inputShape)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let pooling = try! window(signature.inputs, signature.attributes)
        let divisor = try! AverageDivisor(signature.attributes, for: self)
        let dy = inputs[0].values
        var dx = [Double](repeating: 0, count: signature.output.shape.elementCount)
        var output = 0
        pooling.forEachWindow { plane, oh, ow, window in
            let share = dy[output] / Double(divisor.value(pooling, oh, ow))
            for offset in window { dx[plane * pooling.inputPlane + offset] += share }
            output += 1
        }
        return ReferenceTensor(signature.output, dx)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let pooling = try! window(kernel.signature.inputs, kernel.signature.attributes)
        let divisor = try! AverageDivisor(kernel.signature.attributes, for: self).writeExpression(&kernel.writer, pooling)
        let dy = kernel.inputs[0], dx = kernel.output
        if Self.tiles(pooling) {
            writeTiled(&kernel.writer, pooling, dy: dy, dx: dx, divisor: divisor)
            return
        }
        kernel.writer.line("memset(\(dx), 0, \(kernel.signature.output.byteCount));")
        pooling.writeWindowLoops(
            &kernel.writer, input: nil, needsIndex: true,
            begin: { $0.line("float share = \(dy)[plane*\(pooling.outputPlane) + o] / \(divisor);") },
            each: { $0.line("\(dx)[plane*\(pooling.inputPlane) + index] += share;") },
            end: { _ in })
    }

    /// Whether the windows cover every input element exactly once.
    static func tiles(_ pooling: PoolingWindow) -> Bool {
        [pooling.height, pooling.width].allSatisfy { axis in
            axis.stride == axis.kernel && axis.dilation == 1 && axis.padBegin == 0 && axis.padEnd == 0
                && axis.output * axis.kernel == axis.input
        }
    }

    /// The tiled form: per plane and row of windows, `kh` input rows, each the row's shares
    /// repeated `kw` times. Every window has all its taps, so the divisor's tables give one value.
    private func writeTiled(_ writer: inout CWriter, _ pooling: PoolingWindow, dy: String, dx: String, divisor: String) {
        let (height, width) = (pooling.height, pooling.width)
        writer.loop("plane", count: pooling.planes) { plane in
            plane.loop("oh", count: height.output) { row in
                row.line("const float *gradient = \(dy) + plane*\(pooling.outputPlane) + oh*\(width.output);")
                row.line("float *first = \(dx) + plane*\(pooling.inputPlane) + oh*\(height.kernel * width.input);")
                row.loop("ow", count: width.output) { column in
                    column.line("float share = gradient[ow] / \(divisor);")
                    column.loop("j", count: width.kernel) { $0.line("first[ow*\(width.kernel) + j] = share;") }
                }
                row.loop("i", count: height.kernel - 1) { copy in
                    copy.line("memcpy(first + (i + 1)*\(width.input), first, \(width.input * 4));")
                }
            }
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        let pooling = try! window(signature.inputs, signature.attributes)
        return OperatorCost(
            flops: pooling.tapCount + pooling.outputShape.elementCount, bytesRead: signature.inputs[0].byteCount,
            bytesWritten: signature.output.byteCount)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        var attributes = context.node.attributes
        attributes["input_size"] = nil
        return [try context.add("avg_pool2d", [context.outputGradient], attributes: attributes)]
    }

    public var testCases: [OperatorTestCase] {
        AvgPool2D.windowTestCases.map { label, shape, attributes in
            let output = try! AvgPool2D().window([TensorType(.float32, shape)], attributes).outputShape
            var backward = attributes
            backward["input_size"] = .ints([shape[2], shape[3]])
            return OperatorTestCase(label, inputs: [TensorType(.float32, output)], attributes: backward)
        }
    }
}
