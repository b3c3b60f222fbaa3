import Kiln

/// Models for the shipped digits data (8×8 images, 10 classes).
public enum DigitsModels {
    /// `mlp-digits`: 64-128-10 with ReLU, trained with cross-entropy.
    public static func mlp(batch: Int = 32, seed: UInt64 = 0) -> Model {
        Model("mlp-digits", seed: seed) { g in
            let x = g.input("x", [batch, 64])
            let net = Sequential {
                Linear(64, 128, name: "fc1"); ReLU()
                Linear(128, 10, name: "fc2")
            }
            let logits = net(x)
            g.output("y", logits)
            g.loss(crossEntropy(logits, labels: g.input("labels", [batch])))
        }
    }
}
