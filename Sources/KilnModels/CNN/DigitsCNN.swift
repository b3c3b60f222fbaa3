import Kiln

extension DigitsModels {
    /// `cnn-digits`: a small CNN for the 8×8 digits: two 3×3 convolutions with batch norm and
    /// ReLU, 2×2 max pooling, a 3×3 convolution, then 64 hidden units and 10 classes.
    public static func cnn(batch: Int = 32, seed: UInt64 = 0) -> Model {
        Model("cnn-digits", seed: seed) { g in
            let x = g.input("x", [batch, 1, 8, 8])
            let net = Sequential {
                Conv2d(1, 16, kernel: 3, bias: false, name: "conv1"); BatchNorm(16, name: "bn1"); ReLU()
                Conv2d(16, 32, kernel: 3, bias: false, name: "conv2"); BatchNorm(32, name: "bn2"); ReLU()
                MaxPool2d(kernel: 2)
                Conv2d(32, 32, kernel: 3, name: "conv3"); ReLU()
                Flatten()
                Dropout(p: 0.2)
                Linear(512, 64, name: "fc1"); ReLU()
                Linear(64, 10, name: "fc2")
            }
            let logits = net(x)
            g.output("y", logits)
            g.loss(crossEntropy(logits, labels: g.input("labels", [batch])))
        }
    }
}
