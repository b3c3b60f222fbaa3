import Kiln

/// Sequence models of the zoo: a Transformer encoder and recurrent networks.
public enum SequenceModels {
    /// `transformer_encoder`: two post-norm Transformer encoder layers (d_model 256, 4 heads,
    /// feed-forward 1024, ReLU, dropout 0.1) over `[batch, 128, 256]` inputs with sinusoidal
    /// positions added.
    public static func transformerEncoder(batch: Int = 1, seed: UInt64 = 0) -> Model {
        Model("transformer_encoder", seed: seed) { g in
            let x = g.input("x", [batch, 128, 256])
            let encoder = Sequential {
                SinusoidalPositionalEncoding()
                for index in 0..<2 { TransformerEncoderLayer(dModel: 256, heads: 4, feedForward: 1024, name: "layer\(index)") }
            }
            g.output("y", encoder(x))
        }
    }

    /// `lstm`: one LSTM layer of 256 units over `[batch, 32, 128]`; outputs every step's hidden
    /// state `y` and the final hidden and cell states `h`, `c`.
    public static func lstm(batch: Int = 16, seed: UInt64 = 0) -> Model {
        Model("lstm", seed: seed) { g in
            let x = g.input("x", [batch, 32, 128])
            let result = LSTM(inputSize: 128, hiddenSize: 256).run(x)
            g.output("y", result.outputs)
            if let final = result.final.first {
                g.output("h", final.hidden)
                if let cell = final.cell { g.output("c", cell) }
            }
        }
    }

    /// `gru`: two stacked bidirectional GRU layers of 256 units per direction over
    /// `[batch, 32, 128]`; outputs `y` `[batch, 32, 512]`.
    public static func gru(batch: Int = 16, seed: UInt64 = 0) -> Model {
        Model("gru", seed: seed) { g in
            let x = g.input("x", [batch, 32, 128])
            g.output("y", GRU(inputSize: 128, hiddenSize: 256, layers: 2, bidirectional: true)(x))
        }
    }
}
