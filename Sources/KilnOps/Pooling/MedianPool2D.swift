import KilnC
import KilnIR

/// 2-D median pooling over NCHW planes: `y[n, c, oh, ow]` is the median of the input elements in
/// the window of (oh, ow); with stride 1 and "same" padding it is the median filter. Padding
/// contributes no value: a window cut by the border takes the median of the pixels it covers, and
/// the median of an even count is the mean of the two middle values (`np.median`).
///
/// Input x [N, C, H, W]. Attributes as `max_pool2d`: `kernel_size` [kh, kw], `stride` (default:
/// the kernel size), `padding` [top, left, bottom, right] (default 0; at most half the window),
/// `dilation` (default 1), `ceil_mode` (default false).
///
/// A primitive: a median is a selection, not a composition of arithmetic (as a composite it
/// would be a sorting network of min/max nodes per window position). C: each window's elements
/// are insertion-sorted into a small array, whose middle is read. Cost: the insertion sort's
/// expected m(m−1)/4 comparisons and one mean per window of m elements. Not differentiable: the
/// median routes the gradient to one element, which is of no use for a filter with fixed weights.
public struct MedianPool2D: Operator {
    public init() {}
    public var mnemonic: String { "median_pool2d" }
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .opaque }

    func window(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> PoolingWindow {
        try checkArity(inputs)
        let x = try requireImage(inputs, 0)
        return try PoolingWindow.read(x, attributes, features: .all, op: self, label: "input 0 of shape \(x)")
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        TensorType(.float32, try window(inputs, attributes).outputShape)
    }

    /// The median of `values`: the middle one, or the mean of the two middle ones.
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return (sorted[(sorted.count - 1) / 2] + sorted[sorted.count / 2]) / 2
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let pooling = try! window(signature.inputs, signature.attributes)
        let x = inputs[0].values
        var y: [Double] = []
        pooling.forEachWindow { plane, _, _, window in
            let base = plane * pooling.inputPlane
            y.append(Self.median(window.map { x[base + $0] }))
        }
        return ReferenceTensor(signature.output, y)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let pooling = try! window(kernel.signature.inputs, kernel.signature.attributes)
        let y = kernel.output
        let capacity = pooling.height.kernel * pooling.width.kernel
        pooling.writeWindowLoops(
            &kernel.writer, input: kernel.inputs[0],
            begin: { window in
                window.line("float sorted[\(capacity)];")
                window.line("long count = 0;")
            },
            each: { tap in
                tap.line("long p = count++;")
                tap.line("for (; p > 0 && sorted[p - 1] > v; p--) sorted[p] = sorted[p - 1];")
                tap.line("sorted[p] = v;")
            },
            end: { $0.line("\(y)[plane*\(pooling.outputPlane) + o] = 0.5f * (sorted[(count - 1) / 2] + sorted[count / 2]);") })
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        let pooling = try! window(signature.inputs, signature.attributes)
        var perPlane = 0
        for oh in 0..<pooling.height.output {
            for ow in 0..<pooling.width.output {
                let count = pooling.window(oh, ow).count
                perPlane += count * (count - 1) / 4 + 2
            }
        }
        return OperatorCost(
            flops: perPlane * pooling.planes, bytesRead: signature.inputs[0].byteCount,
            bytesWritten: signature.output.byteCount)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        throw context.notDifferentiable("the median has no useful gradient")
    }

    public var testCases: [OperatorTestCase] {
        let cases: [(String, Shape, Attributes)] = [
            ("3x3-filter", [1, 2, 5, 6], ["kernel_size": .ints([3]), "stride": .ints([1]), "padding": .ints([1])]),
            ("2x2-even", [2, 1, 4, 6], ["kernel_size": .ints([2])]),
            ("5x5-filter", [1, 1, 6, 5], ["kernel_size": .ints([5]), "stride": .ints([1]), "padding": .ints([2])]),
            ("asymmetric", [1, 2, 5, 6], ["kernel_size": .ints([3, 2]), "stride": .ints([1]), "padding": .ints([1, 0, 1, 1])]),
            ("dilated", [1, 1, 7, 6], ["kernel_size": .ints([3]), "dilation": .ints([2]), "stride": .ints([1, 2])]),
            ("ceil-mode", [1, 1, 5, 5], ["kernel_size": .ints([2]), "ceil_mode": .bool(true)]),
            ("size-1", [1, 1, 1, 1], ["kernel_size": .ints([1])]),
        ]
        return cases.map { label, shape, attributes in
            OperatorTestCase(label, inputs: [TensorType(.float32, shape)], attributes: attributes, differentiable: false)
        }
    }
}
