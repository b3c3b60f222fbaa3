import Kiln

/// The MobileNet family: depthwise-separable convolutions (catalog §1.1, §4).
public enum MobileNet {
    static func input(_ g: GraphContext, batch: Int, imageSize: Int) -> Tensor { g.input("x", [batch, 3, imageSize, imageSize]) }

    /// `mobilenet_v1`: 3×3 depthwise → BN → ReLU6 → 1×1 pointwise → BN → ReLU6, stride 2 in the
    /// depthwise convolution to downsample.
    public static func v1(batch: Int = 1, imageSize: Int = 224, classes: Int = 1000, seed: UInt64 = 0) -> Model {
        Model("mobilenet_v1", seed: seed) { g in
            var y = ConvBN(3, 32, kernel: 3, stride: 2, activation: { relu6($0) })(input(g, batch: batch, imageSize: imageSize))
            let plan: [(Int, Int)] = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)]
                + Array(repeating: (512, 1), count: 5) + [(1024, 2), (1024, 1)]
            var channels = 32
            for (outputs, stride) in plan {
                y = ConvBN(channels, channels, kernel: 3, stride: Pair(stride, stride), groups: channels, activation: { relu6($0) })(y)
                y = ConvBN(channels, outputs, kernel: 1, padding: 0, activation: { relu6($0) })(y)
                channels = outputs
            }
            g.output("y", classifier(y, channels: channels, classes: classes))
        }
    }

    /// The MobileNetV2 inverted residual: 1×1 expand (t) → 3×3 depthwise → 1×1 linear projection,
    /// with the identity added when the shape allows.
    final class InvertedResidual: Layer {
        let expand: ConvBN?, depthwise: ConvBN, project: ConvBN
        let residual: Bool
        init(_ inputs: Int, _ outputs: Int, stride: Int, expansion: Int) {
            let hidden = inputs * expansion
            expand = expansion == 1 ? nil : ConvBN(inputs, hidden, kernel: 1, padding: 0, activation: { relu6($0) })
            depthwise = ConvBN(hidden, hidden, kernel: 3, stride: Pair(stride, stride), groups: hidden, activation: { relu6($0) })
            project = ConvBN(hidden, outputs, kernel: 1, padding: 0, activation: nil)
            residual = stride == 1 && inputs == outputs
        }
        func forward(_ x: Tensor) -> Tensor {
            let y = project(depthwise(expand?(x) ?? x))
            return residual ? y + x : y
        }
    }

    /// `mobilenet_v2`: 3,504,872 parameters for 1000 classes.
    public static func v2(batch: Int = 1, imageSize: Int = 224, classes: Int = 1000, seed: UInt64 = 0) -> Model {
        Model("mobilenet_v2", seed: seed) { g in
            var y = ConvBN(3, 32, kernel: 3, stride: 2, activation: { relu6($0) })(input(g, batch: batch, imageSize: imageSize))
            var channels = 32
            let settings = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
            for (expansion, outputs, count, stride) in settings {
                for index in 0..<count {
                    y = InvertedResidual(channels, outputs, stride: index == 0 ? stride : 1, expansion: expansion)(y)
                    channels = outputs
                }
            }
            y = ConvBN(channels, 1280, kernel: 1, padding: 0, activation: { relu6($0) })(y)
            g.output("y", Linear(1280, classes, name: "fc")(dropout(globalAvgPool(y).flattened(from: 1), p: 0.2)))
        }
    }

    /// A MobileNetV3 block: optional 1×1 expansion, depthwise k×k, optional squeeze-and-excitation
    /// (hard-sigmoid gate), 1×1 linear projection, identity when the shape allows.
    final class V3Block: Layer {
        let expand: ConvBN?, depthwise: ConvBN, excite: SqueezeExcite?, project: ConvBN
        let residual: Bool
        init(_ inputs: Int, kernel: Int, expanded: Int, outputs: Int, squeeze: Bool, useHardSwish: Bool, stride: Int) {
            let activation: @Sendable (Tensor) -> Tensor
            if useHardSwish { activation = { hardSwish($0) } } else { activation = { relu($0) } }
            expand = expanded == inputs ? nil : ConvBN(inputs, expanded, kernel: 1, padding: 0, activation: activation)
            depthwise = ConvBN(expanded, expanded, kernel: Pair(kernel, kernel), stride: Pair(stride, stride), groups: expanded, activation: activation)
            excite = squeeze ? SqueezeExcite(expanded, squeezed: makeDivisible(Double(expanded) / 4), gate: { hardSigmoid($0) }) : nil
            project = ConvBN(expanded, outputs, kernel: 1, padding: 0, activation: nil)
            residual = stride == 1 && inputs == outputs
        }
        func forward(_ x: Tensor) -> Tensor {
            var y = depthwise(expand?(x) ?? x)
            if let excite { y = excite(y) }
            y = project(y)
            return residual ? y + x : y
        }
    }

    /// `mobilenet_v3_small`: SE and hard-swish in the later blocks.
    public static func v3Small(batch: Int = 1, imageSize: Int = 224, classes: Int = 1000, seed: UInt64 = 0) -> Model {
        Model("mobilenet_v3_small", seed: seed) { g in
            var y = ConvBN(3, 16, kernel: 3, stride: 2, activation: { hardSwish($0) })(input(g, batch: batch, imageSize: imageSize))
            let settings: [(Int, Int, Int, Int, Bool, Bool, Int)] = [
                (16, 3, 16, 16, true, false, 2), (16, 3, 72, 24, false, false, 2), (24, 3, 88, 24, false, false, 1),
                (24, 5, 96, 40, true, true, 2), (40, 5, 240, 40, true, true, 1), (40, 5, 240, 40, true, true, 1),
                (40, 5, 120, 48, true, true, 1), (48, 5, 144, 48, true, true, 1), (48, 5, 288, 96, true, true, 2),
                (96, 5, 576, 96, true, true, 1), (96, 5, 576, 96, true, true, 1),
            ]
            for (inputs, kernel, expanded, outputs, squeeze, useHardSwish, stride) in settings {
                y = V3Block(
                    inputs, kernel: kernel, expanded: expanded, outputs: outputs, squeeze: squeeze,
                    useHardSwish: useHardSwish, stride: stride)(y)
            }
            y = ConvBN(96, 576, kernel: 1, padding: 0, activation: { hardSwish($0) })(y)
            let features = hardSwish(Linear(576, 1024, name: "fc1")(globalAvgPool(y).flattened(from: 1)))
            g.output("y", Linear(1024, classes, name: "fc2")(dropout(features, p: 0.2)))
        }
    }
}
