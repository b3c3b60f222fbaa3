import KilnIR

/// Max pooling as a layer. See ``maxPool2d(_:kernel:stride:padding:ceilMode:file:line:)``.
public final class MaxPool2d: Layer {
    let kernel: Pair, stride: Pair?, padding: Padding, ceilMode: Bool
    public init(kernel: Pair, stride: Pair? = nil, padding: Padding = 0, ceilMode: Bool = false) {
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.ceilMode = ceilMode
    }
    public func forward(_ x: Tensor) -> Tensor { maxPool2d(x, kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode) }
}

/// Average pooling as a layer. See ``avgPool2d(_:kernel:stride:padding:countIncludePad:file:line:)``.
public final class AvgPool2d: Layer {
    let kernel: Pair, stride: Pair?, padding: Padding
    public init(kernel: Pair, stride: Pair? = nil, padding: Padding = 0) {
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
    }
    public func forward(_ x: Tensor) -> Tensor { avgPool2d(x, kernel: kernel, stride: stride, padding: padding) }
}

/// Global average pooling, [N, C, H, W] → [N, C] (flattened, ready for a classifier).
public final class GlobalAvgPool: Layer {
    public init() {}
    public func forward(_ x: Tensor) -> Tensor { globalAvgPool(x).flattened(from: 1) }
}
