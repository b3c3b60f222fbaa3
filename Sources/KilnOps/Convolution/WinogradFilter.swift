import KilnC
import KilnIR

/// The Winograd filter transform of 3×3 convolution weights:
/// `u[i·α + j, k, c] = (G · w[k, c] · Gᵀ)[i][j]` with G the α×3 matrix of F(m×m, 3×3)
/// (`WinogradTransform`, α = m + 2).
///
/// Input: w [K, C, 3, 3]. Attribute: `tile` (m, 2 or 4). Output [α², K, C]: for each of the α²
/// positions a K×C matrix, the left operand of `conv2d_winograd`'s batched products.
///
/// A primitive because Winograd convolution needs its filters transformed: `winograd-selection`
/// puts it between the weights and `conv2d_winograd`, and since it reads only parameters it runs
/// in the preparation kernels, once per change of the weights (in a training step, where the
/// weights change, once per step). Not differentiable (the selection pass runs after
/// differentiation). Cost: 2·(3α² + 3α²)·K·C FLOPs bound (the dense transform), w read, u written.
public struct WinogradFilter: Operator {
    public init() {}
    public var mnemonic: String { "winograd_filter" }
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .opaque }

    func transform(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> WinogradTransform {
        try checkArity(inputs)
        let tile = try int(attributes, "tile", default: 4)
        guard let transform = WinogradTransform(tile: tile) else {
            throw ShapeError("attribute 'tile' must be 2 or 4, got \(tile)")
        }
        let w = inputs[0]
        guard w.dtype == .float32, w.shape.rank == 4, w.shape[2] == 3, w.shape[3] == 3 else {
            throw ShapeError("input 0 is \(w); expected f32[K, C, 3, 3]")
        }
        return transform
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        let transform = try transform(inputs, attributes)
        let w = inputs[0].shape
        return TensorType(.float32, [transform.alpha * transform.alpha, w[0], w[1]])
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let transform = try! transform(signature.inputs, signature.attributes)
        let w = inputs[0].values, shape = signature.inputs[0].shape
        let (outputs, channels, alpha) = (shape[0], shape[1], transform.alpha)
        var u = [Double](repeating: 0, count: signature.output.shape.elementCount)
        for k in 0..<outputs {
            for c in 0..<channels {
                let base = (k * channels + c) * 9
                let g = (0..<3).map { i in (0..<3).map { j in w[base + i * 3 + j] } }
                let tile = WinogradTransform.sandwich(transform.filterTransform, g, transform.filterTransform)
                for i in 0..<alpha {
                    for j in 0..<alpha { u[((i * alpha + j) * outputs + k) * channels + c] = tile[i][j] }
                }
            }
        }
        return ReferenceTensor(signature.output, u)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let transform = try! transform(kernel.signature.inputs, kernel.signature.attributes)
        let shape = kernel.signature.inputs[0].shape
        let (outputs, channels, alpha) = (shape[0], shape[1], transform.alpha)
        let w = kernel.inputs[0], u = kernel.output
        kernel.writer.loop("k", count: outputs) { outer in
            outer.loop("c", count: channels) { body in
                body.line("const float *g = \(w) + (k*\(channels) + c)*9;")
                let names = (0..<3).map { i in (0..<3).map { j in "g[\(i * 3 + j)]" } }
                WinogradTransform.writeSandwich(&body, transform.filterTransform, names, transform.filterTransform, name: "u")
                for i in 0..<alpha {
                    for j in 0..<alpha {
                        body.line("\(u)[(\(i * alpha + j)*\(outputs) + k)*\(channels) + c] = u\(i)_\(j);")
                    }
                }
            }
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        let alpha = (try? transform(signature.inputs, signature.attributes))?.alpha ?? 0
        let filters = signature.inputs[0].shape.elementCount / 9
        return OperatorCost(
            flops: filters * 12 * alpha * alpha, bytesRead: signature.inputs[0].byteCount,
            bytesWritten: signature.output.byteCount)
    }

    public var testCases: [OperatorTestCase] {
        [
            OperatorTestCase("f2x2", inputs: [.f32(3, 2, 3, 3)], attributes: ["tile": .int(2)], differentiable: false),
            OperatorTestCase("f4x4", inputs: [.f32(2, 5, 3, 3)], attributes: ["tile": .int(4)], differentiable: false),
        ]
    }
}
