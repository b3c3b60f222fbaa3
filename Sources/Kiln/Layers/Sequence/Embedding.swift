import KilnIR
import KilnOps

/// A learned lookup table from token ids to vectors: integer ids of any shape `S` (i64 or i32)
/// give `S + [dimension]`. Parameters: `vocabulary·dimension`, initialized N(0, 1) (scaled by
/// `scale`, e.g. 1/√dimension). Ids outside the vocabulary give NaN rows.
public final class Embedding: Layer {
    /// `[vocabulary, dimension]`.
    public let table: Parameter
    public let name: String?

    /// Creates an embedding of `vocabulary` tokens into `dimension` features.
    public init(vocabulary: Int, dimension: Int, scale: Double = 1, name: String? = nil) {
        self.table = Parameter("table", shape: [vocabulary, dimension], initializer: .normal(mean: 0, std: scale))
        self.name = name
    }

    public func forward(_ x: Tensor) -> Tensor {
        let table = node(of: self.table, for: x)
        return x.context.composite(fallback: table, file: nil, line: nil) { builder throws(KilnError) in
            try builder.embedding(x.id, table: table.id)
        }
    }
}
