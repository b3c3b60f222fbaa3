import Kiln
import Testing

/// A loss given inputs that do not fit names itself, the caller's line and the shapes, instead of
/// a node inside it.
@Suite struct LossInputErrorTests {
    static func buildError(_ body: @escaping @Sendable (GraphContext) -> Tensor) -> String? {
        Model("bad") { g in g.output("loss", body(g)) }.buildError?.description
    }

    @Test func crossEntropyLabelsOfAnotherBatch() {
        let message = Self.buildError { g in
            crossEntropy(g.input("logits", [4, 10]), labels: g.input("labels", [5]), line: 42)
        }
        #expect(message == "crossEntropy at KilnTests/LossInputErrorTests.swift:42: labels have shape [5] but logits [4,10] have batch 4 (and 10 classes)")
    }

    @Test func nllLossLabelsWithAClassAxis() {
        let message = Self.buildError { g in
            nllLoss(g.input("logp", [32, 10]), labels: g.input("labels", [32, 5]), line: 7)
        }
        #expect(message == "nllLoss at KilnTests/LossInputErrorTests.swift:7: labels have shape [32,5] but log-probabilities [32,10] have batch 32 (and 10 classes)")
    }

    @Test func integerLabelsAreClassIndices() throws {
        let model = Model("int-labels") { g in
            g.output("loss", crossEntropy(g.input("logits", [3, 4]), labels: g.input("labels", [3], dtype: .int64)))
        }
        let logits = TensorValue.random(TensorType(.float32, [3, 4]), seed: 1)
        let integer = TensorValue(dtype: .int64, shape: [3], integers: [0, 3, 1])
        let loss = try model.compile().run(["logits": logits, "labels": integer])["loss"]!.floats[0]
        let floatModel = Model("float-labels") { g in
            g.output("loss", crossEntropy(g.input("logits", [3, 4]), labels: g.input("labels", [3])))
        }
        let expected = try floatModel.compile().run(["logits": logits, "labels": TensorValue(shape: [3], floats: [0, 3, 1])])["loss"]!.floats[0]
        #expect(abs(loss - expected) <= 1e-6)
    }

    @Test(arguments: ["meanSquaredError", "l1Loss", "smoothL1Loss", "huberLoss", "binaryCrossEntropyWithLogits", "hingeLoss", "focalLoss"])
    func elementwiseLossesNeedTheSameShape(_ loss: String) {
        let message = Self.buildError { g in
            let a = g.input("a", [32, 10]), b = g.input("b", [32, 5])
            return switch loss {
            case "meanSquaredError": meanSquaredError(a, b, line: 3)
            case "l1Loss": l1Loss(a, b, line: 3)
            case "smoothL1Loss": smoothL1Loss(a, b, line: 3)
            case "huberLoss": huberLoss(a, b, line: 3)
            case "binaryCrossEntropyWithLogits": binaryCrossEntropyWithLogits(a, b, line: 3)
            case "hingeLoss": hingeLoss(a, b, line: 3)
            default: focalLoss(a, b, line: 3)
            }
        }
        let (first, second) = switch loss {
        case "binaryCrossEntropyWithLogits", "focalLoss": ("logits", "targets")
        case "hingeLoss": ("scores", "labels")
        default: ("prediction", "target")
        }
        #expect(message == "\(loss) at KilnTests/LossInputErrorTests.swift:3: \(second) has shape [32,5] but \(first) has shape [32,10]; expected the same shape")
    }
}
