import KilnIR
import KilnOps

// Resampling of NCHW planes to another size, and the classic image filters (catalog §1.2).

/// How an upsampling chooses its output size: a fixed `[Ho, Wo]`, or a scale per axis.
public enum UpsamplingTarget: Sendable {
    /// The output plane is `size`.
    case size(Pair)
    /// Each axis is scaled: `Ho = ⌊H·height⌋`, `Wo = ⌊W·width⌋`.
    case scale(height: Double, width: Double)

    /// The same scale on both axes.
    public static func scale(_ factor: Double) -> UpsamplingTarget { .scale(height: factor, width: factor) }

    var attributes: Attributes {
        switch self {
        case .size(let size): ["size": size.attribute]
        case .scale(let height, let width): ["scale": .floats([height, width])]
        }
    }
}

/// Nearest-neighbour upsampling (PyTorch's `nearest`).
public func upsampleNearest2d(_ x: Tensor, _ target: UpsamplingTarget, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("upsample_nearest2d", attributes: target.attributes, file: file, line: line)
}

/// Bilinear upsampling (PyTorch's `bilinear`, half-pixel centres unless `alignCorners`).
public func upsampleBilinear2d(
    _ x: Tensor, _ target: UpsamplingTarget, alignCorners: Bool = false, file: String = #fileID, line: Int = #line
) -> Tensor {
    var attributes = target.attributes
    attributes["align_corners"] = .bool(alignCorners)
    return x.apply("upsample_bilinear2d", attributes: attributes, file: file, line: line)
}

/// The named image filters over each channel, output the size of the input.
public enum ImageFilter: Sendable {
    /// The 5×5 Gaussian blur (zero padding).
    case gaussian
    /// The mean (box) filter over `size`×`size` (border windows average the pixels inside).
    case mean(size: Int)
    /// The median filter over `size`×`size`.
    case median(size: Int)
    /// The max filter over `size`×`size`.
    case max(size: Int)
    /// The min filter over `size`×`size`.
    case min(size: Int)
}

/// Applies an image filter to each channel of `x` [N, C, H, W].
public func filter(_ x: Tensor, _ kind: ImageFilter, file: String = #fileID, line: Int = #line) -> Tensor {
    x.context.composite(fallback: x, file: file, line: line) { builder throws(KilnError) in
        switch kind {
        case .gaussian: try builder.gaussianFilter(x.id)
        case .mean(let size): try builder.meanFilter(x.id, size: size)
        case .median(let size): try builder.medianFilter(x.id, size: size)
        case .max(let size): try builder.maxFilter(x.id, size: size)
        case .min(let size): try builder.minFilter(x.id, size: size)
        }
    }
}

extension Tensor {
    /// `upsampleNearest2d` as a method.
    public func upsampleNearest2d(_ target: UpsamplingTarget, file: String = #fileID, line: Int = #line) -> Tensor {
        Kiln.upsampleNearest2d(self, target, file: file, line: line)
    }
    /// `upsampleBilinear2d` as a method.
    public func upsampleBilinear2d(
        _ target: UpsamplingTarget, alignCorners: Bool = false, file: String = #fileID, line: Int = #line
    ) -> Tensor {
        Kiln.upsampleBilinear2d(self, target, alignCorners: alignCorners, file: file, line: line)
    }
    /// `filter` as a method.
    public func filtered(_ kind: ImageFilter, file: String = #fileID, line: Int = #line) -> Tensor {
        Kiln.filter(self, kind, file: file, line: line)
    }
}
