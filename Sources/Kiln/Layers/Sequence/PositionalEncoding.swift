import KilnIR
import KilnOps

/// Adds the Transformer's sinusoidal position table to `x` (`[..., length, dimension]`):
/// `PE(p, 2i) = sin(p/10000^(2i/d))`, `PE(p, 2i+1) = cos(p/10000^(2i/d))`. No parameters; any
/// length.
public func addingSinusoidalPositions(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    x.context.composite(fallback: x, file: file, line: line) { builder throws(KilnError) in
        try builder.addSinusoidalPositions(x.id)
    }
}

/// The sinusoidal positional encoding as a layer. See ``addingSinusoidalPositions(_:file:line:)``.
public final class SinusoidalPositionalEncoding: Layer {
    public init() {}
    public func forward(_ x: Tensor) -> Tensor { addingSinusoidalPositions(x) }
}

/// A learned positional encoding: a trained vector per position, added to `x`
/// (`[..., length, dimension]`). The table has `maxLength` rows, the longest sequence the model
/// accepts; a longer input is an error. Parameters: `maxLength·dimension`, initialized N(0, `scale`).
public final class LearnedPositionalEncoding: Layer {
    /// `[maxLength, dimension]`.
    public let table: Parameter
    public let name: String?

    /// Creates a table for sequences of up to `maxLength` positions of `dimension` features.
    public init(maxLength: Int, dimension: Int, scale: Double = 0.02, name: String? = nil) {
        self.table = Parameter("table", shape: [maxLength, dimension], initializer: .normal(mean: 0, std: scale))
        self.name = name
    }

    public func forward(_ x: Tensor) -> Tensor {
        let table = node(of: self.table, for: x)
        return x.context.composite(fallback: x, file: nil, line: nil) { builder throws(KilnError) in
            try builder.addLearnedPositions(x.id, table: table.id)
        }
    }
}
