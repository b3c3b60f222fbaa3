import KilnIR
import KilnOps

/// The non-local block (embedded Gaussian): each position's response is a weighted sum of the
/// features at every position, `y = softmax(θ(x)ᵀφ(x))·g(x)`, then `z = W_z·y + x`. Input
/// `[N, channels, positions...]` (an image `[N, C, H, W]`). θ, φ, g are 1×1 convolutions to
/// `reduced` channels (default `channels/2`), W_z back to `channels`, each with a bias.
/// Parameters: `4·channels·reduced + 3·reduced + channels`. W_z starts at zero, so the block
/// starts as the identity (as the non-local paper initializes it).
public final class NonLocalBlock: Layer {
    private let projections: [(weight: Parameter, bias: Parameter)]
    public let name: String?

    /// Creates a non-local block over `channels` channels.
    public init(channels: Int, reduced: Int? = nil, name: String? = nil) {
        let inner = reduced ?? Swift.max(1, channels / 2)
        func projection(_ prefix: String, inputs: Int, outputs: Int, zero: Bool = false) -> (weight: Parameter, bias: Parameter) {
            (Parameter("\(prefix)_weight", shape: [outputs, inputs], initializer: zero ? .zeros : .heUniform(fanIn: inputs)),
             Parameter("\(prefix)_bias", shape: [outputs], initializer: .zeros))
        }
        projections = [
            projection("theta", inputs: channels, outputs: inner), projection("phi", inputs: channels, outputs: inner),
            projection("g", inputs: channels, outputs: inner), projection("output", inputs: inner, outputs: channels, zero: true),
        ]
        self.name = name
    }

    public func forward(_ x: Tensor) -> Tensor {
        let parts = projections.map { ChannelProjection(weight: node(of: $0.weight, for: x).id, bias: node(of: $0.bias, for: x).id) }
        let weights = NonLocalWeights(theta: parts[0], phi: parts[1], g: parts[2], output: parts[3])
        return x.context.composite(fallback: x, file: nil, line: nil) { builder throws(KilnError) in
            try builder.nonLocalBlock(x.id, weights)
        }
    }
}
