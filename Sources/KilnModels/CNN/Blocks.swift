import Kiln

/// Convolution, batch norm and an optional activation: the classic fusable triple (catalog §5.5).
final class ConvBN: Layer {
    let conv: Conv2d, norm: BatchNorm
    let activation: (@Sendable (Tensor) -> Tensor)?

    init(
        _ inputs: Int, _ outputs: Int, kernel: Pair, stride: Pair = 1, padding: Padding? = nil, groups: Int = 1,
        activation: (@Sendable (Tensor) -> Tensor)? = { relu($0) }
    ) {
        conv = Conv2d(inputs, outputs, kernel: kernel, stride: stride, padding: padding, groups: groups, bias: false, name: "conv")
        norm = BatchNorm(outputs, name: "bn")
        self.activation = activation
    }

    func forward(_ x: Tensor) -> Tensor {
        let y = norm(conv(x))
        return activation?(y) ?? y
    }
}

/// Squeeze-and-excitation: squeeze by global average pooling, excite with two 1×1 convolutions
/// (ReLU, then a sigmoid-like gate), and reweight the channels (catalog §1.5).
final class SqueezeExcite: Layer {
    let reduce: Conv2d, expand: Conv2d
    let gate: @Sendable (Tensor) -> Tensor

    init(_ channels: Int, squeezed: Int, gate: @escaping @Sendable (Tensor) -> Tensor = { sigmoid($0) }) {
        reduce = Conv2d(channels, squeezed, kernel: 1, name: "fc1")
        expand = Conv2d(squeezed, channels, kernel: 1, name: "fc2")
        self.gate = gate
    }

    func forward(_ x: Tensor) -> Tensor { x * gate(expand(relu(reduce(globalAvgPool(x))))) }
}

/// The ImageNet classifier head: global average pooling, flatten, a linear layer.
func classifier(_ x: Tensor, channels: Int, classes: Int) -> Tensor {
    Linear(channels, classes, name: "fc")(globalAvgPool(x).flattened(from: 1))
}

/// The largest multiple of `divisor` near `value` that does not drop below 90% of it (MobileNet).
func makeDivisible(_ value: Double, _ divisor: Int = 8) -> Int {
    var result = max(divisor, Int(value + Double(divisor) / 2) / divisor * divisor)
    if Double(result) < 0.9 * value { result += divisor }
    return result
}
