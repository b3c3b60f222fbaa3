import KilnIR

/// A 1×1 convolution's parameters: `weight` `[outputs, inputs]` over the channels and an optional
/// `bias` `[outputs]`.
public struct ChannelProjection: Sendable, Hashable {
    /// `[output channels, input channels]`.
    public var weight: NodeID
    /// `[output channels]`, or nil.
    public var bias: NodeID?

    /// Creates the parameters of a 1×1 convolution.
    public init(weight: NodeID, bias: NodeID? = nil) {
        self.weight = weight
        self.bias = bias
    }
}

/// The four 1×1 convolutions of a non-local block: θ, φ and g reduce the channels `C → C'`, the
/// output W_z restores them `C' → C`.
public struct NonLocalWeights: Sendable, Hashable {
    /// θ, applied to the position that gathers (the query).
    public var theta: ChannelProjection
    /// φ, applied to the positions gathered from (the keys).
    public var phi: ChannelProjection
    /// g, the representation that is summed (the values).
    public var g: ChannelProjection
    /// W_z, back to the input's channels before the residual add.
    public var output: ChannelProjection

    /// Creates the parameters of a non-local block.
    public init(theta: ChannelProjection, phi: ChannelProjection, g: ChannelProjection, output: ChannelProjection) {
        self.theta = theta
        self.phi = phi
        self.g = g
        self.output = output
    }
}

extension GraphBuilder {
    /// The non-local block (embedded Gaussian form): the response at each position is a weighted
    /// sum of the features at all positions, whatever their distance (S0:30–36),
    /// `yᵢ = Σⱼ softmaxⱼ(θ(xᵢ)ᵀφ(xⱼ))·g(xⱼ)`, then `z = W_z·y + x` (residual).
    ///
    /// - Parameters:
    ///   - x: `[N, C, positions...]` (input 0): an image `[N, C, H, W]`, a video or a sequence.
    ///   - weights: θ, φ, g (`C → C'`) and W_z (`C' → C`).
    /// - Returns: `z`, of x's shape.
    ///
    /// A composite: x is viewed as `[N, C, P]` (P = H·W), so each 1×1 convolution is one GEMM
    /// `[C', C] × [C, P]` per sample, the affinity θᵀφ is a batched GEMM `[P, P]`, the softmax
    /// runs over its rows, and the weighted sum is another batched GEMM.
    public mutating func nonLocalBlock(_ x: NodeID, _ weights: NonLocalWeights) throws(KilnError) -> NodeID {
        let op = "non_local_block"
        let shape = type(of: x).shape
        guard type(of: x).dtype == .float32, shape.rank >= 3 else {
            throw compositeError(op, [x], "input 0 is \(type(of: x)); expected f32[N, C, positions...] of rank 3 or more")
        }
        let (samples, channels) = (shape[0], shape[1])
        let positions = shape.dimensions[2...].reduce(1, *)
        let flat = try add("reshape", [x], attributes: ["shape": .ints([samples, channels, positions])])
        let theta = try channelProjection(flat, weights.theta, op: op, role: "theta")
        let phi = try channelProjection(flat, weights.phi, op: op, role: "phi")
        let g = try channelProjection(flat, weights.g, op: op, role: "g")
        let affinity = try add("matmul", [theta, phi], attributes: ["transpose_a": .bool(true)])
        let attention = try add("softmax", [affinity], attributes: ["axis": .int(-1)])
        let gathered = try add("matmul", [g, attention], attributes: ["transpose_b": .bool(true)])
        let restored = try channelProjection(gathered, weights.output, op: op, role: "output")
        guard type(of: restored).shape == type(of: flat).shape else {
            throw compositeError(
                op, [x], "the output projection weight is \(type(of: weights.output.weight)); expected f32[\(channels), \(type(of: gathered).shape[1])] to restore the \(channels) channels of input 0")
        }
        let residual = try add("add", [restored, flat])
        return try add("reshape", [residual], attributes: ["shape": .ints(shape.dimensions)])
    }

    /// A 1×1 convolution of `x` `[N, C, P]`: `W·x + b` → `[N, C', P]`, one GEMM per sample.
    mutating func channelProjection(
        _ x: NodeID, _ projection: ChannelProjection, op: String, role: String
    ) throws(KilnError) -> NodeID {
        let channels = type(of: x).shape[1]
        let weight = type(of: projection.weight)
        guard weight.dtype == .float32, weight.shape.rank == 2, weight.shape[1] == channels else {
            throw compositeError(
                op, [x, projection.weight], "the \(role) weight is \(weight); expected f32[outputs, \(channels)] for \(channels) input channels")
        }
        let product = try add("matmul", [projection.weight, x])
        guard let bias = projection.bias else { return product }
        guard type(of: bias) == TensorType(.float32, [weight.shape[0]]) else {
            throw compositeError(
                op, [x, bias], "the \(role) bias is \(type(of: bias)); expected f32[\(weight.shape[0])] to match the weight \(weight)")
        }
        return try add("add", [product, try add("reshape", [bias], attributes: ["shape": .ints([weight.shape[0], 1])])])
    }
}
