import Kiln

/// Multilayer perceptrons.
public enum MLP {
    /// `mlp`: 784-512-512-10 with ReLU, batch 64 (MNIST-sized input), softmax cross-entropy loss.
    public static func mnist(batch: Int = 64, seed: UInt64 = 0) -> Model {
        Model("mlp", seed: seed) { g in
            let x = g.input("x", [batch, 784])
            let net = Sequential {
                Linear(784, 512, name: "fc1"); ReLU()
                Linear(512, 512, name: "fc2"); ReLU()
                Linear(512, 10, name: "fc3")
            }
            let logits = net(x)
            g.output("y", logits)
            g.loss(crossEntropy(logits, labels: g.input("labels", [batch])))
        }
    }
}
