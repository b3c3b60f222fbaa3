/// Caps gradients before the optimizer sees them, against exploding gradients.
///
/// Clipping caps large gradients; it does not lift small ones (the notes have it backwards,
/// catalog Appendix A item 12).
public enum GradientClipping: Sendable, Hashable {
    /// No clipping.
    case none
    /// Each element clamped to `[-limit, limit]`.
    case value(Double)
    /// All gradients scaled by `min(1, limit/‖g‖)`, ‖g‖ the norm over every gradient together.
    case globalNorm(Double)

    /// The clipped gradients, as graph code.
    func apply(_ gradients: [Tensor], context: GraphContext) -> [Tensor] {
        switch self {
        case .none:
            return gradients
        case .value(let limit):
            let high = context.constant(limit, file: nil, line: nil)
            let low = context.constant(-limit, file: nil, line: nil)
            return gradients.map { minimum(maximum($0, low), high) }
        case .globalNorm(let limit):
            guard let first = gradients.first else { return gradients }
            let squares = gradients.dropFirst().reduce(first.square().sum()) { $0 + $1.square().sum() }
            let norm = squares.sqrt()
            let limitTensor = context.constant(limit, file: nil, line: nil)
            let scale = limitTensor / maximum(norm, limitTensor)
            return gradients.map { $0 * scale }
        }
    }
}
