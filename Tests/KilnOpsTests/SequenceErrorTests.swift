import KilnIR
import KilnOps
import Testing

/// The exact messages of the attention, positional-encoding and recurrent composites' errors.
@Suite struct SequenceErrorTests {
    private let attentionInputs: [String: TensorType] = ["q": .f32(2, 3, 4), "k": .f32(2, 5, 4), "v": .f32(2, 5, 2)]

    @Test func headCountThatDoesNotDivideDModel() {
        let message = CompositeRunner.error(["x": .f32(2, 5, 10), "w": .f32(10, 30), "wo": .f32(10, 10)]) { builder, x in
            ["y": try builder.multiHeadAttention(
                query: x["x"]!, key: x["x"]!, value: x["x"]!, heads: 3,
                projections: .packed(AffineWeights(weight: x["w"]!)), output: AffineWeights(weight: x["wo"]!)).output]
        }
        #expect(message == "multi_head_attention 'multi_head_attention': d_model 10 is not divisible by the head count 3")
    }

    @Test func maskOfTheWrongShape() {
        var inputs = attentionInputs
        inputs["m"] = .f32(3, 4)
        let message = CompositeRunner.error(inputs) { builder, x in
            ["y": try builder.scaledDotProductAttention(query: x["q"]!, key: x["k"]!, value: x["v"]!, mask: x["m"]!).output]
        }
        #expect(message == "scaled_dot_product_attention 'scaled_dot_product_attention': input 3 (mask) has shape [3,4]; "
            + "expected a shape that broadcasts to the scores [2,3,5] ([batch..., queries, keys])")
        inputs["x"] = .f32(2, 3, 4)
        inputs["w"] = .f32(4, 4)
        let multiHead = CompositeRunner.error(inputs) { builder, x in
            let affine = AffineWeights(weight: x["w"]!)
            return ["y": try builder.multiHeadAttention(
                query: x["x"]!, key: x["k"]!, value: x["k"]!, heads: 2,
                projections: .separate(query: affine, key: affine, value: affine), output: affine, mask: x["m"]!).output]
        }
        #expect(multiHead == "multi_head_attention 'multi_head_attention': input 3 (mask) has shape [3,4]; "
            + "expected a shape that broadcasts to the scores [2,3,5] ([batch..., queries, keys])")
    }

    @Test func sequenceLongerThanTheCompiledLength() {
        let message = CompositeRunner.error(["x": .f32(2, 9, 4), "table": .f32(8, 4)]) { builder, x in
            ["y": try builder.addLearnedPositions(x["x"]!, table: x["table"]!)]
        }
        #expect(message == "learned_positions 'learned_positions': input 0 has 9 positions (shape [2,9,4]), "
            + "more than the compiled length 8 of the position table")
    }

    @Test func keysAndValuesThatDoNotFitTheQueries() {
        var inputs = attentionInputs
        inputs["k"] = .f32(2, 5, 3)
        #expect(CompositeRunner.error(inputs) { builder, x in
            ["y": try builder.scaledDotProductAttention(query: x["q"]!, key: x["k"]!, value: x["v"]!).output]
        } == "scaled_dot_product_attention 'scaled_dot_product_attention': input 1 (keys) has shape [2,5,3]; "
            + "expected 4 features on its last axis, like input 0 (queries) of shape [2,3,4]")
        inputs = attentionInputs
        inputs["v"] = .f32(2, 6, 2)
        #expect(CompositeRunner.error(inputs) { builder, x in
            ["y": try builder.hardAttention(query: x["q"]!, key: x["k"]!, value: x["v"]!).output]
        } == "hard_attention 'hard_attention': input 2 (values) has shape [2,6,2]; expected 5 positions on axis -2, "
            + "like input 1 (keys) of shape [2,5,4]")
        #expect(CompositeRunner.error(attentionInputs) { builder, x in
            ["y": try builder.localAttention(query: x["q"]!, key: x["k"]!, value: x["v"]!, window: -1).output]
        } == "local_attention 'local_attention': window -1 is negative; expected 0 or more keys on each side")
    }

    @Test func recurrentWeightsThatDoNotFitTheInput() {
        let message = CompositeRunner.error(["x": .f32(2, 4, 3), "wx": .f32(4, 20), "wh": .f32(5, 20)]) { builder, x in
            ["y": try builder.recurrentLayer(.lstm, x["x"]!, weights: RecurrentWeights(input: x["wx"]!, hidden: x["wh"]!)).outputs]
        }
        #expect(message == "lstm 'lstm': the input weight is f32[4,20]; expected f32[3,20] for 3 input features and hidden size 5")
        let gru = CompositeRunner.error(["x": .f32(2, 4, 3), "wx": .f32(3, 15), "wh": .f32(5, 20)]) { builder, x in
            ["y": try builder.recurrentLayer(.gru, x["x"]!, weights: RecurrentWeights(input: x["wx"]!, hidden: x["wh"]!)).outputs]
        }
        #expect(gru == "gru 'gru': the hidden weight is f32[5,20]; expected f32[H, 3·H] (3 gate blocks of H columns)")
        let state = CompositeRunner.error(["x": .f32(2, 4, 3), "wx": .f32(3, 5), "wh": .f32(5, 5), "h0": .f32(3, 5)]) { builder, x in
            ["y": try builder.recurrentLayer(
                .rnn, x["x"]!, weights: RecurrentWeights(input: x["wx"]!, hidden: x["wh"]!),
                initial: RecurrentState(hidden: x["h0"]!)).outputs]
        }
        #expect(state == "rnn 'rnn': the initial hidden state is f32[3,5]; expected f32[2,5] (batch × hidden size)")
        let flat = CompositeRunner.error(["x": .f32(2, 3), "wx": .f32(3, 5), "wh": .f32(5, 5)]) { builder, x in
            ["y": try builder.recurrentLayer(.rnn, x["x"]!, weights: RecurrentWeights(input: x["wx"]!, hidden: x["wh"]!)).outputs]
        }
        #expect(flat == "rnn 'rnn': input 0 (sequence) is f32[2,3]; expected f32[batch, steps, features] with 1 or more steps")
    }

    @Test func oneHotNeedsIntegersAndADepth() {
        #expect(GraphRunner.errorMessage {
            _ = try GraphRunner.apply("one_hot", [GraphRunner.tensor([1])], attributes: ["depth": .int(2)])
        } == "one_hot 'y': input 0 (indices) is f32[1]; expected i64 or i32")
        #expect(GraphRunner.errorMessage {
            _ = try GraphRunner.apply("one_hot", [ReferenceTensor(TensorType(.int64, [1]), [0])], attributes: ["depth": .int(0)])
        } == "one_hot 'y': attribute 'depth' is 0; expected 1 or more")
    }
}
