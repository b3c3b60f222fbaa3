import KilnC
import KilnIR

/// A 3×3, stride-1, dilation-1, ungrouped convolution by Winograd's F(m×m, 3×3), from filters
/// already transformed by `winograd_filter`: `y` equals `conv2d(x, w, bias)` for the weights `w`
/// with `u = winograd_filter(w)`, up to rounding.
///
/// Inputs: x [N, C, H, W], u [α², K, C] (α = m + 2), optional bias [K]. Attributes: `tile` (m,
/// 2 or 4) and the convolution's `padding`; `stride`, `dilation` and `groups` must be 1.
/// Output [N, K, H + top + bottom − 2, W + left + right − 2].
///
/// Per image, the output is cut into m×m tiles (⌈Hout/m⌉·⌈Wout/m⌉ = T of them). The C copies each
/// input channel into a zero-bordered plane in scratch, transforms its α×α input tiles
/// (`Bᵀ d B`, a branch-free loop over the tiles of a row that the native compiler vectorizes, the
/// transform unrolled with its zero coefficients left out) into V [α², C, T]; computes the α²
/// products M[ξ] = u[ξ] · V[ξ] (K×C by C×T) with `cblas_sgemm`; and transforms each output tile
/// (`Aᵀ M A`, plus the bias) into a row buffer, copying the rows that lie inside the output.
///
/// Error: exact in exact arithmetic; in float32 F(2×2) stays within 1e-5 of the largest output
/// magnitude on unit-scale data and F(4×4), whose transforms have larger coefficients, within
/// 1e-4 (`WinogradTests` checks both against the float64 interpreter's direct convolution).
/// Cost: MACs = N·T·α²·K·C (the products); FLOPs add the input transform, bounded by 4α³ per tile
/// and channel, and the output transform, by 4α²·m per tile and output channel.
public struct Conv2DWinograd: Operator {
    public init() {}
    public var mnemonic: String { "conv2d_winograd" }
    public var arity: ClosedRange<Int> { 2...3 }
    public var fusionKind: FusionKind { .outputFusable }

    /// The geometry and transform of a node.
    struct Layout {
        var geometry: ConvolutionGeometry
        var transform: WinogradTransform
        var tilesHigh: Int { (geometry.height.output + transform.m - 1) / transform.m }
        var tilesWide: Int { (geometry.width.output + transform.m - 1) / transform.m }
        var tiles: Int { tilesHigh * tilesWide }
        /// The zero-bordered input plane: every tile's α×α window lies inside it.
        var paddedHeight: Int { tilesHigh * transform.m + 2 }
        var paddedWidth: Int { tilesWide * transform.m + 2 }
        var positions: Int { transform.positions }
        /// Scratch in floats: padded plane, V, M, the output row buffer.
        var scratchFloats: Int {
            paddedHeight * paddedWidth + positions * tiles * (geometry.inputChannels + geometry.outputChannels)
                + transform.m * tilesWide * transform.m
        }
    }

    func layout(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> Layout {
        try checkArity(inputs)
        let tile = try int(attributes, "tile", default: 4)
        guard let transform = WinogradTransform(tile: tile) else { throw ShapeError("attribute 'tile' must be 2 or 4, got \(tile)") }
        let convolution = try ConvolutionAttributes(attributes, for: self)
        guard convolution.stride == SpatialPair(1, 1), convolution.dilation == SpatialPair(1, 1), convolution.groups == 1 else {
            throw ShapeError("Winograd convolution needs stride 1, dilation 1 and groups 1")
        }
        let x = try requireImage(inputs, 0), u = inputs[1]
        guard u.dtype == .float32, u.shape.rank == 3, u.shape[0] == transform.positions, u.shape[2] == x[1] else {
            throw ShapeError(
                "input 1 is \(u); expected f32[\(transform.positions), K, \(x[1])], the winograd_filter of tile \(tile)")
        }
        let geometry = try ConvolutionGeometry.make(
            batch: x[0], inputChannels: x[1], inputSize: SpatialPair(x[2], x[3]), outputChannels: u.shape[1],
            kernel: SpatialPair(3, 3), attributes: convolution, inputLabel: "input 0 of shape \(x)",
            outputLabel: "input 1 of shape \(u.shape)", kernelLabel: "the 3x3 kernel")
        if inputs.count == 3 {
            guard inputs[2].dtype == .float32, inputs[2].shape == [u.shape[1]] else {
                throw ShapeError("input 2 is \(inputs[2]); expected f32[\(u.shape[1])], one bias per output channel")
            }
        }
        return Layout(geometry: geometry, transform: transform)
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        TensorType(.float32, try layout(inputs, attributes).geometry.outputShape)
    }

    public func kernelChoice(_ signature: OperatorSignature) -> KernelChoice? {
        guard let layout = try? layout(signature.inputs, signature.attributes) else { return nil }
        let g = layout.geometry, m = layout.transform.m
        return KernelChoice(
            m == 2 ? .winogradF2x2 : .winogradF4x4,
            reason: "3x3 stride 1, \(g.height.output)x\(g.width.output) output, \(g.inputChannels)->\(g.outputChannels) channels: "
                + "\(layout.positions) products per \(m * m) outputs instead of \(9 * m * m); \(layout.positions) GEMMs of "
                + "\(g.outputChannels)x\(g.inputChannels) by \(layout.tiles) tiles; filters transformed in kiln_prepare")
    }

    public func kernelAlgorithms(_ signature: OperatorSignature) -> [KernelAlgorithm] {
        kernelChoice(signature).map { [$0.algorithm] } ?? []
    }

    public func scratchBytes(_ signature: OperatorSignature) -> Int {
        (try! layout(signature.inputs, signature.attributes)).scratchFloats * 4
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let layout = try! layout(signature.inputs, signature.attributes)
        let g = layout.geometry, t = layout.transform, alpha = t.alpha
        let x = inputs[0].values, u = inputs[1].values, bias = inputs.count == 3 ? inputs[2].values : nil
        let (channels, outputs) = (g.inputChannels, g.outputChannels)
        var y = [Double](repeating: 0, count: g.outputShape.elementCount)
        for n in 0..<g.batch {
            for th in 0..<layout.tilesHigh {
                for tw in 0..<layout.tilesWide {
                    var products = [[Double]](repeating: [Double](repeating: 0, count: layout.positions), count: outputs)
                    for c in 0..<channels {
                        let d = (0..<alpha).map { i in
                            (0..<alpha).map { j -> Double in
                                let ih = th * t.m + i - g.height.padBegin, iw = tw * t.m + j - g.width.padBegin
                                guard (0..<g.height.input).contains(ih), (0..<g.width.input).contains(iw) else { return 0 }
                                return x[((n * channels + c) * g.height.input + ih) * g.width.input + iw]
                            }
                        }
                        let v = WinogradTransform.sandwich(t.inputTransform, d, t.inputTransform).flatMap { $0 }
                        for k in 0..<outputs {
                            for xi in 0..<layout.positions { products[k][xi] += u[(xi * outputs + k) * channels + c] * v[xi] }
                        }
                    }
                    for k in 0..<outputs {
                        let tile = (0..<alpha).map { i in Array(products[k][(i * alpha)..<((i + 1) * alpha)]) }
                        let out = WinogradTransform.sandwich(t.outputTransform, tile, t.outputTransform)
                        for i in 0..<t.m where th * t.m + i < g.height.output {
                            for j in 0..<t.m where tw * t.m + j < g.width.output {
                                y[((n * outputs + k) * g.height.output + th * t.m + i) * g.width.output + tw * t.m + j] =
                                    out[i][j] + (bias?[k] ?? 0)
                            }
                        }
                    }
                }
            }
        }
        return ReferenceTensor(signature.output, y)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let layout = try! layout(kernel.signature.inputs, kernel.signature.attributes)
        WinogradKernel(layout: layout, x: kernel.inputs[0], u: kernel.inputs[1], y: kernel.output,
                       bias: kernel.inputs.count == 3 ? kernel.inputs[2] : nil, scratch: kernel.scratch)
            .write(&kernel.writer)
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        let layout = try! layout(signature.inputs, signature.attributes)
        let g = layout.geometry, alpha = layout.transform.alpha, m = layout.transform.m
        let tiles = g.batch * layout.tiles
        let macs = tiles * layout.positions * g.outputChannels * g.inputChannels
        let transforms = tiles * g.inputChannels * 4 * alpha * alpha * alpha + tiles * g.outputChannels * 4 * alpha * alpha * m
        return .multiplyAccumulate(signature, macs: macs, otherFlops: transforms)
    }

    /// The F(4×4) cases draw from a small domain: their float32 error is about 1e-5 of the
    /// largest output (see the error bound above), beyond the harness's per-element 1e-5 at unit scale.
    public var testCases: [OperatorTestCase] {
        [
            OperatorTestCase(
                "f2x2-odd-padded-bias", inputs: [.f32(1, 3, 7, 5), .f32(16, 2, 3), .f32(2)],
                attributes: ["tile": .int(2), "padding": .ints([1])], differentiable: false),
            OperatorTestCase(
                "f4x4-asymmetric-batch", inputs: [.f32(2, 3, 9, 6), .f32(36, 5, 3)],
                attributes: ["tile": .int(4), "padding": .ints([1, 0, 2, 1])], domain: -0.25...0.25, differentiable: false),
            OperatorTestCase(
                "f4x4-unpadded", inputs: [.f32(1, 2, 6, 6), .f32(36, 3, 2), .f32(3)],
                attributes: ["tile": .int(4)], domain: -0.25...0.25, differentiable: false),
        ]
    }
}
