import KilnIR
import KilnOps

/// A pair of spatial values (height, width) given as one number or two.
public struct Pair: ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral, Sendable {
    /// Along the height.
    public var height: Int
    /// Along the width.
    public var width: Int

    /// The same value along both axes.
    public init(integerLiteral value: Int) { height = value; width = value }
    /// `[height, width]`.
    public init(arrayLiteral elements: Int...) {
        height = elements.first ?? 1
        width = elements.count > 1 ? elements[1] : height
    }
    /// A pair.
    public init(_ height: Int, _ width: Int) { self.height = height; self.width = width }

    var attribute: AttributeValue { .ints([height, width]) }
}

/// Zero padding of a 2-D window: symmetric (`same` for odd kernels is (k−1)/2) or explicit.
public struct Padding: ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral, Sendable {
    /// `[top, left, bottom, right]`.
    public var values: [Int]
    /// The same padding on every side.
    public init(integerLiteral value: Int) { values = [value, value, value, value] }
    /// `[all]`, `[vertical, horizontal]` or `[top, left, bottom, right]`.
    public init(arrayLiteral elements: Int...) {
        switch elements.count {
        case 1: values = Array(repeating: elements[0], count: 4)
        case 2: values = [elements[0], elements[1], elements[0], elements[1]]
        default: values = elements
        }
    }
}

/// 2-D convolution (cross-correlation, NCHW) of `x` [N, Cin, H, W] with `weight`
/// [Cout, Cin/groups, Kh, Kw] and an optional `bias` [Cout]. Output size per axis:
/// ⌊(I + pads − d·(k−1) − 1)/s⌋ + 1.
public func conv2d(
    _ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Pair = 1, padding: Padding = 0, dilation: Pair = 1,
    groups: Int = 1, file: String = #fileID, line: Int = #line
) -> Tensor {
    let attributes: Attributes = [
        "stride": stride.attribute, "padding": .ints(padding.values), "dilation": dilation.attribute, "groups": .int(groups),
    ]
    return x.apply("conv2d", [weight] + (bias.map { [$0] } ?? []), attributes: attributes, file: file, line: line)
}

/// Transposed 2-D convolution with `weight` [Cin, Cout/groups, Kh, Kw]; output size per axis
/// (I−1)·s − pads + d·(k−1) + output_padding + 1.
public func convTranspose2d(
    _ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Pair = 1, padding: Padding = 0, outputPadding: Pair = 0,
    dilation: Pair = 1, groups: Int = 1, file: String = #fileID, line: Int = #line
) -> Tensor {
    let attributes: Attributes = [
        "stride": stride.attribute, "padding": .ints(padding.values), "output_padding": outputPadding.attribute,
        "dilation": dilation.attribute, "groups": .int(groups),
    ]
    return x.apply("conv_transpose2d", [weight] + (bias.map { [$0] } ?? []), attributes: attributes, file: file, line: line)
}

/// Deformable convolution v1 (torchvision's `deform_conv2d` without a mask): each tap reads `x`
/// at its regular position plus a learned `offset` [N, 2·G·Kh·Kw, Hout, Wout], interpolated
/// bilinearly; `weight` and `bias` as `conv2d`.
public func deformConv2d(
    _ x: Tensor, offset: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Pair = 1, padding: Padding = 0,
    dilation: Pair = 1, groups: Int = 1, file: String = #fileID, line: Int = #line
) -> Tensor {
    let attributes: Attributes = [
        "stride": stride.attribute, "padding": .ints(padding.values), "dilation": dilation.attribute, "groups": .int(groups),
    ]
    return x.apply("deform_conv2d", [offset, weight] + (bias.map { [$0] } ?? []), attributes: attributes, file: file, line: line)
}

/// Channel shuffle with `groups` groups (ShuffleNet).
public func channelShuffle(_ x: Tensor, groups: Int, file: String = #fileID, line: Int = #line) -> Tensor {
    x.context.composite(fallback: x, file: file, line: line) { (builder: inout GraphBuilder) throws(KilnError) -> NodeID in
        try builder.channelShuffle(x.id, groups: groups)
    }
}

/// Splits the channels (axis 1) into parts of the given sizes.
public func channelSplit(_ x: Tensor, sizes: [Int], file: String = #fileID, line: Int = #line) -> [Tensor] {
    x.context.composites(fallback: x, count: sizes.count, file: file, line: line) { (builder: inout GraphBuilder) throws(KilnError) -> [NodeID] in
        try builder.channelSplit(x.id, sizes: sizes)
    }
}

/// Space-to-depth with block 2 in YOLOv5's Focus order: [N, C, H, W] → [N, 4C, H/2, W/2].
public func focus(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    x.context.composite(fallback: x, file: file, line: line) { (builder: inout GraphBuilder) throws(KilnError) -> NodeID in
        try builder.spaceToDepth(x.id)
    }
}

extension Tensor {
    /// `conv2d` as a method.
    public func conv2d(
        weight: Tensor, bias: Tensor? = nil, stride: Pair = 1, padding: Padding = 0, dilation: Pair = 1, groups: Int = 1,
        file: String = #fileID, line: Int = #line
    ) -> Tensor {
        Kiln.conv2d(self, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups, file: file, line: line)
    }
    /// `convTranspose2d` as a method.
    public func convTranspose2d(
        weight: Tensor, bias: Tensor? = nil, stride: Pair = 1, padding: Padding = 0, outputPadding: Pair = 0,
        dilation: Pair = 1, groups: Int = 1, file: String = #fileID, line: Int = #line
    ) -> Tensor {
        Kiln.convTranspose2d(
            self, weight: weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding,
            dilation: dilation, groups: groups, file: file, line: line)
    }
    /// `deformConv2d` as a method.
    public func deformConv2d(
        offset: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Pair = 1, padding: Padding = 0, dilation: Pair = 1,
        groups: Int = 1, file: String = #fileID, line: Int = #line
    ) -> Tensor {
        Kiln.deformConv2d(
            self, offset: offset, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation,
            groups: groups, file: file, line: line)
    }
    /// `channelShuffle` as a method.
    public func channelShuffle(groups: Int, file: String = #fileID, line: Int = #line) -> Tensor {
        Kiln.channelShuffle(self, groups: groups, file: file, line: line)
    }
    /// `channelSplit` as a method.
    public func channelSplit(sizes: [Int], file: String = #fileID, line: Int = #line) -> [Tensor] {
        Kiln.channelSplit(self, sizes: sizes, file: file, line: line)
    }
}
