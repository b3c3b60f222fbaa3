import Kiln

/// Models for the generated sequence tasks (`SequenceTask`).
public enum SequenceTaskModels {
    /// `reverse`: a small pre-norm Transformer encoder that reverses digit sequences. Token
    /// embeddings plus learned positions (d 64), two encoder layers (4 heads, feed-forward 128,
    /// no dropout), a final layer norm and a linear readout to the 10 digits at every position.
    /// Input `x` i64 `[batch, length]`, output `y` `[batch, length, 10]`; trained with
    /// cross-entropy against `labels` `[batch, length]`.
    public static func reverser(batch: Int = 64, length: Int = SequenceTask.defaultLength, seed: UInt64 = 0) -> Model {
        let width = 64, digits = SequenceTask.reverse.vocabulary
        return Model("reverse", seed: seed) { g in
            let x = g.input("x", [batch, length], dtype: .int64)
            let net = Sequential {
                Embedding(vocabulary: digits, dimension: width, name: "embedding")
                LearnedPositionalEncoding(maxLength: length, dimension: width, scale: 1, name: "positions")
                for index in 0..<2 {
                    TransformerEncoderLayer(dModel: width, heads: 4, feedForward: 2 * width, dropout: 0, norm: .pre, name: "layer\(index)")
                }
                LayerNorm(width, name: "final_norm")
                Linear(width, digits, name: "readout")
            }
            let logits = net(x)
            g.output("y", logits)
            let labels = g.input("labels", [batch, length])
            g.loss(crossEntropy(logits.reshaped([batch * length, digits]), labels: labels.reshaped([batch * length])))
        }
    }
}
