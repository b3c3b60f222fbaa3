import Foundation
import Testing

/// `kiln train` on a generated sequence task, and the zoo's sequence models through `kiln run`.
@Suite struct SequenceCommandLineTests {
    @Test func trainReverseReachesTheTargetAccuracy() throws {
        let result = try CommandLineTests.kiln(["train", "reverse", "--epochs", "1"])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.hasPrefix("training reverse with adam, 8192 training and 1024 test sequences of 8 tokens, batch 64"))
        #expect(result.output.contains("epoch 1/1 step 128/128 loss"))
        let line = try #require(result.output.split(separator: "\n").first { $0.hasPrefix("test sequence accuracy: ") })
        let accuracy = try #require(Double(line.dropFirst("test sequence accuracy: ".count).prefix(6)))
        #expect(accuracy >= 0.95, "\(line)")
    }

    @Test func runsTheSequenceModels() throws {
        for (model, output) in [("transformer_encoder", "y: f32[1,128,256]"), ("seq2seq", "attention: f32[8,16,16]")] {
            let result = try CommandLineTests.kiln(["run", model])
            #expect(result.status == 0, "\(model): \(result.error)")
            #expect(result.output.contains(output), "\(model): \(result.output)")
        }
    }

    @Test func aTaskNeedsASequenceModel() throws {
        let result = try CommandLineTests.kiln(["train", "mlp-digits", "--data", "reverse", "--epochs", "1"])
        #expect(result.status == 1)
        #expect(result.error == "error: model 'mlp-digits' has no input 'x' of token ids [batch, length] to feed the sequences to\n")
    }
}
