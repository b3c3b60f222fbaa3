import KilnIR

/// 2-D max pooling over NCHW planes: `y[n, c, oh, ow]` is the largest input element in the
/// window of (oh, ow). Padding never wins (it is -∞).
///
/// Input x [N, C, H, W]. Attributes: `kernel_size` [kh, kw], `stride` (default: the kernel size),
/// `padding` [top, left, bottom, right] (default 0; at most half the window), `dilation`
/// (default 1), `ceil_mode` (default false). Output [N, C, Hout, Wout], sizes as for `conv2d`
/// (rounded up with `ceil_mode`).
///
/// A primitive because its gradient routes through the argmax. C: tap-major, one select per
/// input element read, over output ranges from tables. Cost: one comparison (FLOP) per element read by a
/// window; bytes = x read, y written. Gradient: `max_pool2d_backward`(x, dy), which recomputes
/// the argmax (ties go to the first element in row-major window order).
public struct MaxPool2D: Operator {
    public init() {}
    public var mnemonic: String { "max_pool2d" }
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .outputFusable }

    func window(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> PoolingWindow {
        try checkArity(inputs)
        let x = try requireImage(inputs, 0)
        return try PoolingWindow.read(x, attributes, features: .all, op: self, label: "input 0 of shape \(x)")
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        TensorType(.float32, try window(inputs, attributes).outputShape)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let pooling = try! window(signature.inputs, signature.attributes)
        let x = inputs[0].values
        var y: [Double] = []
        pooling.forEachWindow { plane, _, _, window in
            let base = plane * pooling.inputPlane
            y.append(window.map { x[base + $0] }.max()!)
        }
        return ReferenceTensor(signature.output, y)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let pooling = try! window(kernel.signature.inputs, kernel.signature.attributes)
        pooling.writeTapMajorLoops(
            &kernel.writer, input: kernel.inputs[0], output: kernel.output, initial: "-KILN_INFINITY",
            combine: { $0.selectLarger("v", into: "to[k]") })
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        let pooling = try! window(signature.inputs, signature.attributes)
        return OperatorCost(flops: pooling.tapCount, bytesRead: signature.inputs[0].byteCount, bytesWritten: signature.output.byteCount)
    }

    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        [try context.add("max_pool2d_backward", [context.input(0), context.outputGradient], attributes: context.node.attributes)]
    }

    /// The in-plane offset of the largest element of `window` in the plane starting at `base`
    /// (the first one on ties).
    static func argmax(_ values: [Double], base: Int, window: [Int]) -> Int {
        var best = window[0]
        for offset in window.dropFirst() where values[base + offset] > values[base + best] { best = offset }
        return best
    }

    /// Test cases shared by the max-pooling family.
    static var windowTestCases: [(String, Shape, Attributes)] {
        [
            ("2x2", [1, 2, 4, 6], ["kernel_size": .ints([2])]),
            ("3x3-stride-2-padded", [2, 1, 7, 7], ["kernel_size": .ints([3]), "stride": .ints([2]), "padding": .ints([1])]),
            ("overlapping-asymmetric", [1, 2, 5, 6], ["kernel_size": .ints([3, 2]), "stride": .ints([1]), "padding": .ints([1, 0, 0, 1])]),
            ("dilated", [1, 1, 7, 6], ["kernel_size": .ints([2, 3]), "dilation": .ints([2, 1]), "stride": .ints([1, 2])]),
            ("ceil-mode", [1, 2, 5, 5], ["kernel_size": .ints([2]), "ceil_mode": .bool(true)]),
            ("ceil-mode-padded", [1, 1, 6, 6], ["kernel_size": .ints([3]), "stride": .ints([2]), "padding": .ints([1]), "ceil_mode": .bool(true)]),
            ("global-window", [2, 3, 3, 3], ["kernel_size": .ints([3])]),
            ("size-1", [1, 1, 1, 1], ["kernel_size": .ints([1])]),
        ]
    }

    public var testCases: [OperatorTestCase] {
        Self.windowTestCases.map { OperatorTestCase($0, inputs: [TensorType(.float32, $1)], attributes: $2) }
    }
}
