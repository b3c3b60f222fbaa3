import KilnIR

// Pooling over 2-D windows of NCHW planes (catalog §1.2). `stride` defaults to the kernel size.

private func window(_ kernel: Pair, _ stride: Pair?) -> Attributes {
    ["kernel_size": kernel.attribute, "stride": (stride ?? kernel).attribute]
}

/// Max pooling over `kernel` windows (stride defaults to the kernel).
public func maxPool2d(
    _ x: Tensor, kernel: Pair, stride: Pair? = nil, padding: Padding = 0, ceilMode: Bool = false,
    file: String = #fileID, line: Int = #line
) -> Tensor {
    x.apply("max_pool2d", attributes: [
        "kernel_size": kernel.attribute, "stride": (stride ?? kernel).attribute, "padding": .ints(padding.values),
        "ceil_mode": .bool(ceilMode),
    ], file: file, line: line)
}

/// Average pooling over `kernel` windows; padded zeros count toward the divisor when
/// `countIncludePad`.
public func avgPool2d(
    _ x: Tensor, kernel: Pair, stride: Pair? = nil, padding: Padding = 0, countIncludePad: Bool = true,
    file: String = #fileID, line: Int = #line
) -> Tensor {
    x.apply("avg_pool2d", attributes: [
        "kernel_size": kernel.attribute, "stride": (stride ?? kernel).attribute, "padding": .ints(padding.values),
        "count_include_pad": .bool(countIncludePad),
    ], file: file, line: line)
}

/// Global average pooling: [N, C, H, W] → [N, C, 1, 1] (the SE "squeeze").
public func globalAvgPool(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("global_avg_pool", file: file, line: line)
}

/// Global max pooling: [N, C, H, W] → [N, C, 1, 1].
public func globalMaxPool(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("global_max_pool", file: file, line: line)
}

/// Adaptive average pooling to an `outputSize` grid (PyTorch's windows).
public func adaptiveAvgPool2d(_ x: Tensor, outputSize: Pair, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("adaptive_avg_pool2d", attributes: ["output_size": outputSize.attribute], file: file, line: line)
}

/// Power-average (Lp) pooling: `(Σ xᵖ)^(1/p)` over each window (p = 1 is sum pooling, p → ∞ max
/// pooling); meant for non-negative inputs.
public func lpPool2d(_ x: Tensor, kernel: Pair, stride: Pair? = nil, p: Double = 2, file: String = #fileID, line: Int = #line) -> Tensor {
    var attributes = window(kernel, stride)
    attributes["p"] = .float(p)
    return x.apply("lp_pool2d", attributes: attributes, file: file, line: line)
}

/// SoftPool: each window's softmax-weighted average `Σ eˣ·x / Σ eˣ`.
public func softPool2d(_ x: Tensor, kernel: Pair, stride: Pair? = nil, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("soft_pool2d", attributes: window(kernel, stride), file: file, line: line)
}

/// Mixed pooling: `λ·max + (1 − λ)·average` over each window.
public func mixedPool2d(
    _ x: Tensor, kernel: Pair, stride: Pair? = nil, lambda: Double = 0.5, file: String = #fileID, line: Int = #line
) -> Tensor {
    var attributes = window(kernel, stride)
    attributes["lambda"] = .float(lambda)
    return x.apply("mixed_pool2d", attributes: attributes, file: file, line: line)
}

/// Stochastic pooling's inference rule: the probability-weighted average `Σx² / Σx` of each
/// window (for non-negative inputs).
public func stochasticPool2d(_ x: Tensor, kernel: Pair, stride: Pair? = nil, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("stochastic_pool2d", attributes: window(kernel, stride), file: file, line: line)
}

/// Median pooling (with stride 1 and `padding` (k−1)/2, the median filter); padding contributes
/// no value. Not differentiable.
public func medianPool2d(
    _ x: Tensor, kernel: Pair, stride: Pair? = nil, padding: Padding = 0, dilation: Pair = 1, ceilMode: Bool = false,
    file: String = #fileID, line: Int = #line
) -> Tensor {
    var attributes = window(kernel, stride)
    attributes["padding"] = .ints(padding.values)
    attributes["dilation"] = dilation.attribute
    attributes["ceil_mode"] = .bool(ceilMode)
    return x.apply("median_pool2d", attributes: attributes, file: file, line: line)
}

/// The int64 in-plane offsets `ih·W + iw` of the maxima `maxPool2d` with the same arguments picks
/// (PyTorch's `return_indices`), the input of `maxUnpool2d`.
public func maxPool2dIndices(
    _ x: Tensor, kernel: Pair, stride: Pair? = nil, padding: Padding = 0, ceilMode: Bool = false,
    file: String = #fileID, line: Int = #line
) -> Tensor {
    var attributes = window(kernel, stride)
    attributes["padding"] = .ints(padding.values)
    attributes["ceil_mode"] = .bool(ceilMode)
    return x.apply("max_pool2d_indices", attributes: attributes, file: file, line: line)
}

/// Max unpooling: scatters `x` into zero planes of `outputSize` at the offsets `indices`
/// (from `maxPool2dIndices`).
public func maxUnpool2d(_ x: Tensor, indices: Tensor, outputSize: Pair, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("max_unpool2d", [indices], attributes: ["output_size": outputSize.attribute], file: file, line: line)
}

extension Tensor {
    /// `maxPool2d` as a method.
    public func maxPool2d(
        kernel: Pair, stride: Pair? = nil, padding: Padding = 0, ceilMode: Bool = false, file: String = #fileID, line: Int = #line
    ) -> Tensor {
        Kiln.maxPool2d(self, kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode, file: file, line: line)
    }
    /// `avgPool2d` as a method.
    public func avgPool2d(
        kernel: Pair, stride: Pair? = nil, padding: Padding = 0, countIncludePad: Bool = true, file: String = #fileID, line: Int = #line
    ) -> Tensor {
        Kiln.avgPool2d(self, kernel: kernel, stride: stride, padding: padding, countIncludePad: countIncludePad, file: file, line: line)
    }
    /// `globalAvgPool` as a method.
    public func globalAvgPool(file: String = #fileID, line: Int = #line) -> Tensor { Kiln.globalAvgPool(self, file: file, line: line) }
    /// `globalMaxPool` as a method.
    public func globalMaxPool(file: String = #fileID, line: Int = #line) -> Tensor { Kiln.globalMaxPool(self, file: file, line: line) }
    /// `adaptiveAvgPool2d` as a method.
    public func adaptiveAvgPool2d(outputSize: Pair, file: String = #fileID, line: Int = #line) -> Tensor {
        Kiln.adaptiveAvgPool2d(self, outputSize: outputSize, file: file, line: line)
    }
    /// `lpPool2d` as a method.
    public func lpPool2d(kernel: Pair, stride: Pair? = nil, p: Double = 2, file: String = #fileID, line: Int = #line) -> Tensor {
        Kiln.lpPool2d(self, kernel: kernel, stride: stride, p: p, file: file, line: line)
    }
    /// `softPool2d` as a method.
    public func softPool2d(kernel: Pair, stride: Pair? = nil, file: String = #fileID, line: Int = #line) -> Tensor {
        Kiln.softPool2d(self, kernel: kernel, stride: stride, file: file, line: line)
    }
    /// `mixedPool2d` as a method.
    public func mixedPool2d(kernel: Pair, stride: Pair? = nil, lambda: Double = 0.5, file: String = #fileID, line: Int = #line) -> Tensor {
        Kiln.mixedPool2d(self, kernel: kernel, stride: stride, lambda: lambda, file: file, line: line)
    }
    /// `stochasticPool2d` as a method.
    public func stochasticPool2d(kernel: Pair, stride: Pair? = nil, file: String = #fileID, line: Int = #line) -> Tensor {
        Kiln.stochasticPool2d(self, kernel: kernel, stride: stride, file: file, line: line)
    }
    /// `medianPool2d` as a method.
    public func medianPool2d(
        kernel: Pair, stride: Pair? = nil, padding: Padding = 0, dilation: Pair = 1, ceilMode: Bool = false,
        file: String = #fileID, line: Int = #line
    ) -> Tensor {
        Kiln.medianPool2d(self, kernel: kernel, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode, file: file, line: line)
    }
    /// `maxPool2dIndices` as a method.
    public func maxPool2dIndices(
        kernel: Pair, stride: Pair? = nil, padding: Padding = 0, ceilMode: Bool = false, file: String = #fileID, line: Int = #line
    ) -> Tensor {
        Kiln.maxPool2dIndices(self, kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode, file: file, line: line)
    }
    /// `maxUnpool2d` as a method.
    public func maxUnpool2d(indices: Tensor, outputSize: Pair, file: String = #fileID, line: Int = #line) -> Tensor {
        Kiln.maxUnpool2d(self, indices: indices, outputSize: outputSize, file: file, line: line)
    }
}
