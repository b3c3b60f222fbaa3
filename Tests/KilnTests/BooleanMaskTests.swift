import Foundation
import Kiln
import Testing

/// A `bool` key-padding mask as a model input, selecting with `where` and converted with `cast`.
@Suite struct BooleanMaskTests {
    static let model = Model("masked_softmax") { g in
        let scores = g.input("scores", [2, 5])
        let mask = g.input("mask", [2, 5], dtype: .bool)
        let masked = `where`(mask, scores, g.constant([-1e9], shape: []))
        g.output("attention", softmax(masked * 2 + 1))
        g.output("kept", cast(mask, to: .float32).sum(axes: [1]))
        g.output("dropped", cast(cast(mask, to: .float32) - 1, to: .bool))
    }

    @Test func compiledCodeMatchesTheInterpreter() throws {
        let scores = TensorValue.random(TensorType(.float32, [2, 5]), seed: 1)
        let mask = TensorValue(dtype: .bool, shape: [2, 5], integers: [1, 1, 0, 1, 0, 0, 1, 1, 1, 1])
        let inputs = ["scores": scores, "mask": mask]
        let compiled = try Self.model.compile().run(inputs)
        let reference = try Self.model.interpret(inputs)
        let attention = try #require(compiled["attention"])
        #expect(Approximate.normwiseRelativeError(attention.doubles, reference["attention"]!.doubles) < 1e-6)
        #expect(attention.doubles[2] == 0 && attention.doubles[5] == 0)
        #expect(compiled["kept"]?.doubles == [3, 4])
        #expect(compiled["dropped"] == TensorValue(dtype: .bool, shape: [2, 5], integers: [0, 0, 1, 0, 1, 1, 0, 0, 0, 0]))
        #expect(compiled["dropped"] == reference["dropped"])
    }
}
