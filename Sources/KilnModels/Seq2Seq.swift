import Kiln

/// Encoder-decoder models.
public enum Seq2Seq {
    /// `seq2seq`: a GRU encoder-decoder with additive (Bahdanau) attention, trained with teacher
    /// forcing. The encoder is a bidirectional GRU over the embedded `source` tokens; the
    /// decoder starts from tanh(Linear(backward encoder state)) and at each step attends to the
    /// encoder outputs with its previous state, feeds [embedded target token; context] to a GRU
    /// cell, and reads out logits from [state; context].
    ///
    /// Inputs: `source` i64 `[batch, sourceLength]`; `target` i64 `[batch, targetLength]`, the
    /// decoder's inputs (the target shifted right after a start token); for training `labels`
    /// `[batch, targetLength]`. Outputs: `y`, logits `[batch, targetLength, vocabulary]`;
    /// `attention`, the weights `[batch, targetLength, sourceLength]`.
    public static func attention(
        batch: Int = 8, sourceLength: Int = 16, targetLength: Int = 16, vocabulary: Int = 1000, embedding: Int = 128,
        hidden: Int = 256, seed: UInt64 = 0
    ) -> Model {
        Model("seq2seq", seed: seed) { g in
            let source = g.input("source", [batch, sourceLength], dtype: .int64)
            let target = g.input("target", [batch, targetLength], dtype: .int64)
            let encoder = GRU(inputSize: embedding, hiddenSize: hidden, bidirectional: true, name: "encoder")
            let bridge = Linear(hidden, hidden, name: "bridge")
            let attention = AdditiveAttention(queryFeatures: hidden, keyFeatures: 2 * hidden, width: hidden, name: "attention")
            let decoder = RecurrentCellLayer(.gru, inputSize: embedding + 2 * hidden, hiddenSize: hidden, name: "decoder")
            let readout = Linear(3 * hidden, vocabulary, name: "readout")

            let encoded = encoder.run(Embedding(vocabulary: vocabulary, dimension: embedding, name: "source_embedding")(source))
            let memory = encoded.outputs
            let keys = attention.projectKeys(memory)
            let targetVectors = Embedding(vocabulary: vocabulary, dimension: embedding, name: "target_embedding")(target)
            var state = HiddenState(hidden: tanh(bridge(encoded.final[encoded.final.count - 1].hidden)))
            var logits: [Tensor] = [], weights: [Tensor] = []
            for step in 0..<targetLength {
                let attended = attention(query: state.hidden.reshaped([batch, 1, hidden]), projectedKeys: keys, values: memory)
                let context = attended.output.reshaped([batch, 2 * hidden])
                let input = targetVectors.sliced(starts: [step], ends: [step + 1], axes: [1]).reshaped([batch, embedding])
                state = decoder.step(concat([input, context], axis: 1), state: state)
                logits.append(readout(concat([state.hidden, context], axis: 1)).reshaped([batch, 1, vocabulary]))
                weights.append(attended.weights)
            }
            let y = concat(logits, axis: 1)
            g.output("y", y)
            g.output("attention", concat(weights, axis: 1))
            let labels = g.input("labels", [batch, targetLength])
            g.loss(crossEntropy(y.reshaped([batch * targetLength, vocabulary]), labels: labels.reshaped([batch * targetLength])))
        }
    }
}
