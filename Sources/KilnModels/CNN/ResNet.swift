import Kiln

/// ResNet (He et al. 2015): residual units y = F(x) + x with projection shortcuts where the shape
/// changes (catalog §4).
public enum ResNet {
    /// Where the downsampling stride of a bottleneck sits: on its first 1×1 (the original Caffe
    /// ResNet, theoretical receptive field 483 for ResNet-50) or on its 3×3 (torchvision's "v1.5",
    /// receptive field 427).
    public enum StridePlacement: Sendable {
        case firstPointwise, spatial
    }

    final class BasicBlock: Layer {
        let first: ConvBN, second: ConvBN, shortcut: ConvBN?
        init(_ inputs: Int, _ outputs: Int, stride: Int) {
            first = ConvBN(inputs, outputs, kernel: 3, stride: Pair(stride, stride))
            second = ConvBN(outputs, outputs, kernel: 3, activation: nil)
            shortcut = stride != 1 || inputs != outputs
                ? ConvBN(inputs, outputs, kernel: 1, stride: Pair(stride, stride), padding: 0, activation: nil) : nil
        }
        func forward(_ x: Tensor) -> Tensor { relu(second(first(x)) + (shortcut?(x) ?? x)) }
    }

    final class Bottleneck: Layer {
        let reduce: ConvBN, spatial: ConvBN, expand: ConvBN, shortcut: ConvBN?
        init(_ inputs: Int, _ width: Int, stride: Int, placement: StridePlacement, groups: Int = 1, expansion: Int = 4) {
            let outputs = width * expansion
            let first = placement == .firstPointwise ? stride : 1
            reduce = ConvBN(inputs, width, kernel: 1, stride: Pair(first, first), padding: 0)
            spatial = ConvBN(width, width, kernel: 3, stride: Pair(stride / first, stride / first), groups: groups)
            expand = ConvBN(width, outputs, kernel: 1, padding: 0, activation: nil)
            shortcut = stride != 1 || inputs != outputs
                ? ConvBN(inputs, outputs, kernel: 1, stride: Pair(stride, stride), padding: 0, activation: nil) : nil
        }
        func forward(_ x: Tensor) -> Tensor { relu(expand(spatial(reduce(x))) + (shortcut?(x) ?? x)) }
    }

    /// ResNet-18/34 (basic blocks) or ResNet-50 (bottlenecks) for `classes` classes.
    public static func model(
        _ name: String, blocks: [Int], bottleneck: Bool, placement: StridePlacement = .spatial,
        batch: Int = 1, imageSize: Int = 224, classes: Int = 1000, seed: UInt64 = 0
    ) -> Model {
        Model(name, seed: seed) { g in
            let x = g.input("x", [batch, 3, imageSize, imageSize])
            var y = maxPool2d(ConvBN(3, 64, kernel: 7, stride: 2, padding: 3)(x), kernel: 3, stride: 2, padding: 1)
            var channels = 64
            for (stage, count) in blocks.enumerated() {
                let width = 64 << stage
                for index in 0..<count {
                    let stride = index == 0 && stage > 0 ? 2 : 1
                    if bottleneck {
                        y = Bottleneck(channels, width, stride: stride, placement: placement)(y)
                        channels = width * 4
                    } else {
                        y = BasicBlock(channels, width, stride: stride)(y)
                        channels = width
                    }
                }
            }
            g.output("y", classifier(y, channels: channels, classes: classes))
        }
    }

    /// `resnet18`: 11,689,512 parameters for 1000 classes.
    public static func resnet18(batch: Int = 1, imageSize: Int = 224, seed: UInt64 = 0) -> Model {
        model("resnet18", blocks: [2, 2, 2, 2], bottleneck: false, batch: batch, imageSize: imageSize, seed: seed)
    }

    /// `resnet34`.
    public static func resnet34(batch: Int = 1, imageSize: Int = 224, seed: UInt64 = 0) -> Model {
        model("resnet34", blocks: [3, 4, 6, 3], bottleneck: false, batch: batch, imageSize: imageSize, seed: seed)
    }

    /// `resnet50`: 25,557,032 parameters for 1000 classes, either stride placement.
    public static func resnet50(
        placement: StridePlacement = .firstPointwise, batch: Int = 1, imageSize: Int = 224, seed: UInt64 = 0
    ) -> Model {
        model(placement == .firstPointwise ? "resnet50" : "resnet50_v1_5", blocks: [3, 4, 6, 3], bottleneck: true,
              placement: placement, batch: batch, imageSize: imageSize, seed: seed)
    }

    /// A ResNeXt bottleneck block (32 groups × 4 channels): 256 → 128 (grouped 3×3) → 256, plus the identity.
    public static func resnextBlock(batch: Int = 1, size: Int = 56, seed: UInt64 = 0) -> Model {
        Model("resnext_block", seed: seed) { g in
            let x = g.input("x", [batch, 256, size, size])
            g.output("y", Bottleneck(256, 128, stride: 1, placement: .spatial, groups: 32, expansion: 2)(x))
        }
    }
}
