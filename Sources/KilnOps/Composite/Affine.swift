import KilnIR

/// The parameters of an affine map `x·W + b`: `weight` of shape `[inputs, outputs]` and an
/// optional `bias` of shape `[outputs]`.
public struct AffineWeights: Sendable, Hashable {
    /// `[inputs, outputs]`.
    public var weight: NodeID
    /// `[outputs]`, or nil.
    public var bias: NodeID?

    /// Creates the parameters of an affine map.
    public init(weight: NodeID, bias: NodeID? = nil) {
        self.weight = weight
        self.bias = bias
    }
}

extension GraphBuilder {
    /// `x·W + b` over the last axis of `x` (`[..., inputs]` → `[..., outputs]`): one GEMM and a
    /// broadcast add. Composite `op` reports a weight or bias that does not fit `x` under the
    /// name `role` (`query projection`).
    mutating func affine(_ x: NodeID, _ weights: AffineWeights, op: String, role: String) throws(KilnError) -> NodeID {
        let (shape, weight) = (type(of: x).shape, type(of: weights.weight))
        let inputs = [x, weights.weight] + (weights.bias.map { [$0] } ?? [])
        let features = shape.dimensions.last ?? 1
        guard weight.dtype == .float32, weight.shape.rank == 2, weight.shape[0] == features else {
            throw compositeError(
                op, inputs, "the \(role) weight is \(weight); expected f32[\(features), outputs] for the \(features) features of \(shape)")
        }
        let product = try add("matmul", [x, weights.weight])
        guard let bias = weights.bias else { return product }
        guard type(of: bias) == TensorType(.float32, [weight.shape[1]]) else {
            throw compositeError(
                op, inputs, "the \(role) bias is \(type(of: bias)); expected f32[\(weight.shape[1])] to match the weight \(weight)")
        }
        return try add("add", [product, bias])
    }
}
