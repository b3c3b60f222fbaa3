import Kiln

/// The models `kiln bench --suite` adds to the zoo: LeNet-5 at MNIST size, one pre-LN Transformer
/// block, and a memory-bound elementwise graph.
public enum BenchmarkModels {
    /// `lenet5_mnist`: LeNet-5 on 1×28×28 (the first convolution padded by 2, as for MNIST),
    /// ReLU, average pooling, softmax cross-entropy loss.
    public static func lenet5MNIST(batch: Int = 64, seed: UInt64 = 0) -> Model {
        Model("lenet5_mnist", seed: seed) { g in
            let x = g.input("x", [batch, 1, 28, 28])
            let logits = ClassicNets.lenet5Layers(firstPadding: 2)(x)
            g.output("y", logits)
            g.loss(crossEntropy(logits, labels: g.input("labels", [batch])))
        }
    }

    /// `transformer_block`: one pre-LN Transformer encoder layer (d_model 256, 4 heads, FFN 1024,
    /// exact GELU, no dropout) over `[batch, 128, 256]`.
    public static func transformerBlock(batch: Int = 1, seed: UInt64 = 0) -> Model {
        Model("transformer_block", seed: seed) { g in
            let x = g.input("x", [batch, 128, 256])
            let layer = TransformerEncoderLayer(
                dModel: 256, heads: 4, feedForward: 1024, dropout: 0, norm: .pre, activation: .gelu, name: "layer")
            g.output("y", layer(x))
        }
    }

    /// `gelu_stream`: `y = gelu(x·1.5 + 0.25) + x` (exact GELU) over `batch` × 4M floats, a
    /// memory-bound elementwise graph.
    public static func geluStream(batch: Int = 1, seed: UInt64 = 0) -> Model {
        Model("gelu_stream", seed: seed) { g in
            let x = g.input("x", [batch, 4096, 1024])
            g.output("y", gelu(x * 1.5 + 0.25) + x)
        }
    }
}
