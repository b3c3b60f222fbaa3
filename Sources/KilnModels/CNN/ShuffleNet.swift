import Kiln

/// ShuffleNet V2 (x1.0): channel split, a branch of 1×1 → depthwise 3×3 → 1×1, concat, channel
/// shuffle (catalog §4, §5.7).
public enum ShuffleNet {
    final class Unit: Layer {
        let stride: Int
        let left: [any Layer], right: [any Layer]
        init(_ inputs: Int, _ outputs: Int, stride: Int) {
            self.stride = stride
            let branch = outputs / 2
            let rightInputs = stride == 1 ? branch : inputs
            left = stride == 1 ? [] : [
                ConvBN(inputs, inputs, kernel: 3, stride: 2, groups: inputs, activation: nil),
                ConvBN(inputs, branch, kernel: 1, padding: 0),
            ]
            right = [
                ConvBN(rightInputs, branch, kernel: 1, padding: 0),
                ConvBN(branch, branch, kernel: 3, stride: Pair(stride, stride), groups: branch, activation: nil),
                ConvBN(branch, branch, kernel: 1, padding: 0),
            ]
        }
        func forward(_ x: Tensor) -> Tensor {
            let joined: Tensor
            if stride == 1 {
                let halves = channelSplit(x, sizes: [x.shape[1] / 2, x.shape[1] - x.shape[1] / 2])
                joined = concat([halves[0], Sequential(layers: right)(halves[1])], axis: 1)
            } else {
                joined = concat([Sequential(layers: left)(x), Sequential(layers: right)(x)], axis: 1)
            }
            return channelShuffle(joined, groups: 2)
        }
    }

    /// `shufflenet_v2`: stages of 4, 8, 4 units with 116, 232, 464 channels.
    public static func v2(batch: Int = 1, imageSize: Int = 224, classes: Int = 1000, seed: UInt64 = 0) -> Model {
        Model("shufflenet_v2", seed: seed) { g in
            let x = g.input("x", [batch, 3, imageSize, imageSize])
            var y = maxPool2d(ConvBN(3, 24, kernel: 3, stride: 2)(x), kernel: 3, stride: 2, padding: 1)
            var channels = 24
            for (repeats, outputs) in [(4, 116), (8, 232), (4, 464)] {
                for index in 0..<repeats {
                    y = Unit(channels, outputs, stride: index == 0 ? 2 : 1)(y)
                    channels = outputs
                }
            }
            y = ConvBN(channels, 1024, kernel: 1, padding: 0)(y)
            g.output("y", classifier(y, channels: 1024, classes: classes))
        }
    }
}
