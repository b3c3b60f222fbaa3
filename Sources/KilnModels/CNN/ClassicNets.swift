import Kiln

/// LeNet-5, VGG-11, SqueezeNet 1.1 and the building blocks of Inception, SENet and DenseNet.
public enum ClassicNets {
    /// `lenet5`: 1×32×32 → conv 5×5 (6) → avg pool → conv 5×5 (16) → avg pool → 120 → 84 → 10.
    public static func lenet5(batch: Int = 1, seed: UInt64 = 0) -> Model {
        Model("lenet5", seed: seed) { g in
            let x = g.input("x", [batch, 1, 32, 32])
            g.output("y", lenet5Layers(firstPadding: 0)(x))
        }
    }

    /// LeNet-5's layers: conv 5×5 (6) → ReLU → avg pool → conv 5×5 (16) → ReLU → avg pool → 120 → 84 → 10.
    /// `firstPadding` 0 takes 32×32 inputs; 2 takes 28×28 (MNIST) to the same 400 features.
    static func lenet5Layers(firstPadding: Padding) -> Sequential {
        Sequential {
            Conv2d(1, 6, kernel: 5, padding: firstPadding, name: "conv1"); ReLU(); AvgPool2d(kernel: 2)
            Conv2d(6, 16, kernel: 5, padding: 0, name: "conv2"); ReLU(); AvgPool2d(kernel: 2)
            Flatten()
            Linear(400, 120, name: "fc1"); ReLU()
            Linear(120, 84, name: "fc2"); ReLU()
            Linear(84, 10, name: "fc3")
        }
    }

    /// `vgg11` for 32×32 inputs (configuration A with batch norm): 3×3 convolutions in five stages.
    public static func vgg11(batch: Int = 1, classes: Int = 10, seed: UInt64 = 0) -> Model {
        Model("vgg11", seed: seed) { g in
            var y = g.input("x", [batch, 3, 32, 32])
            var channels = 3
            for stage in [[64], [128], [256, 256], [512, 512], [512, 512]] {
                for outputs in stage {
                    y = ConvBN(channels, outputs, kernel: 3)(y)
                    channels = outputs
                }
                y = maxPool2d(y, kernel: 2)
            }
            let head = Sequential {
                Flatten(); Linear(512, 512, name: "fc1"); ReLU(); Dropout(p: 0.5); Linear(512, classes, name: "fc2")
            }
            g.output("y", head(y))
        }
    }

    /// SqueezeNet's fire module: 1×1 squeeze, then 1×1 and 3×3 expansions concatenated.
    final class Fire: Layer {
        let squeeze: Conv2d, expand1: Conv2d, expand3: Conv2d
        init(_ inputs: Int, squeeze: Int, expand: Int) {
            self.squeeze = Conv2d(inputs, squeeze, kernel: 1, name: "squeeze")
            expand1 = Conv2d(squeeze, expand, kernel: 1, name: "expand1x1")
            expand3 = Conv2d(squeeze, expand, kernel: 3, name: "expand3x3")
        }
        func forward(_ x: Tensor) -> Tensor {
            let s = relu(squeeze(x))
            return concat([relu(expand1(s)), relu(expand3(s))], axis: 1)
        }
    }

    /// `squeezenet` (version 1.1): fire modules, late downsampling, a 1×1 convolution classifier.
    public static func squeezenet(batch: Int = 1, imageSize: Int = 224, classes: Int = 1000, seed: UInt64 = 0) -> Model {
        Model("squeezenet", seed: seed) { g in
            let x = g.input("x", [batch, 3, imageSize, imageSize])
            var y = maxPool2d(relu(Conv2d(3, 64, kernel: 3, stride: 2, padding: 0, name: "conv1")(x)), kernel: 3, stride: 2, ceilMode: true)
            let stages: [[(Int, Int, Int)]] = [
                [(64, 16, 64), (128, 16, 64)], [(128, 32, 128), (256, 32, 128)],
                [(256, 48, 192), (384, 48, 192), (384, 64, 256), (512, 64, 256)],
            ]
            for (index, stage) in stages.enumerated() {
                if index > 0 { y = maxPool2d(y, kernel: 3, stride: 2, ceilMode: true) }
                for (inputs, squeeze, expand) in stage { y = Fire(inputs, squeeze: squeeze, expand: expand)(y) }
            }
            y = relu(Conv2d(512, classes, kernel: 1, name: "classifier")(dropout(y, p: 0.5)))
            g.output("y", globalAvgPool(y).flattened(from: 1))
        }
    }

    /// The Inception v1 module "3a" on 192×28×28: 1×1 (64) ∥ 1×1 (96) → 3×3 (128) ∥ 1×1 (16) →
    /// 5×5 (32) ∥ 3×3 max pool → 1×1 (32), concatenated to 256 channels.
    public static func inceptionModule(batch: Int = 1, size: Int = 28, seed: UInt64 = 0) -> Model {
        Model("inception_module", seed: seed) { g in
            let x = g.input("x", [batch, 192, size, size])
            let branch1 = relu(Conv2d(192, 64, kernel: 1, name: "b1_1x1")(x))
            let branch2 = relu(Conv2d(96, 128, kernel: 3, name: "b2_3x3")(relu(Conv2d(192, 96, kernel: 1, name: "b2_1x1")(x))))
            let branch3 = relu(Conv2d(16, 32, kernel: 5, name: "b3_5x5")(relu(Conv2d(192, 16, kernel: 1, name: "b3_1x1")(x))))
            let branch4 = relu(Conv2d(192, 32, kernel: 1, name: "b4_1x1")(maxPool2d(x, kernel: 3, stride: 1, padding: 1)))
            g.output("y", concat([branch1, branch2, branch3, branch4], axis: 1))
        }
    }

    /// A squeeze-and-excitation block (reduction 16) on 64×56×56.
    public static func seBlock(batch: Int = 1, size: Int = 56, seed: UInt64 = 0) -> Model {
        Model("se_block", seed: seed) { g in
            g.output("y", SqueezeExcite(64, squeezed: 4)(g.input("x", [batch, 64, size, size])))
        }
    }

    /// A DenseNet block of 4 layers (growth 32, bottleneck 4×): each layer BN → ReLU → 1×1 →
    /// BN → ReLU → 3×3 and sees the concatenation of every earlier output: 4·5/2 = 10 connections.
    public static func denseBlock(batch: Int = 1, size: Int = 28, layers: Int = 4, seed: UInt64 = 0) -> Model {
        Model("densenet_block", seed: seed) { g in
            var features = [g.input("x", [batch, 64, size, size])]
            var channels = 64
            for _ in 0..<layers {
                let input = features.count == 1 ? features[0] : concat(features, axis: 1)
                let bottleneck = Conv2d(channels, 128, kernel: 1, bias: false, name: "conv1")(relu(BatchNorm(channels, name: "norm1")(input)))
                features.append(Conv2d(128, 32, kernel: 3, bias: false, name: "conv2")(relu(BatchNorm(128, name: "norm2")(bottleneck))))
                channels += 32
            }
            g.output("y", concat(features, axis: 1))
        }
    }
}
