import KilnIR

/// The kernel-plan rules of the convolution operators: which algorithms can compute a shape, and
/// which one the rules pick, with the reason the plan prints.
extension ConvolutionGeometry {
    /// One input channel per group: each group's GEMM would be (multiplier × Kh·Kw) by Hout·Wout.
    var isDepthwise: Bool { groups > 1 && inputChannelsPerGroup == 1 }

    /// 1×1, stride 1, unpadded: the image is already the GEMM operand.
    var isPointwise: Bool {
        height.kernel == 1 && width.kernel == 1 && height.stride == 1 && width.stride == 1
            && height.padBegin == 0 && height.padEnd == 0 && width.padBegin == 0 && width.padEnd == 0
    }

    /// The algorithms the forward convolution's C can use for this shape, the rules' choice first.
    var forwardAlgorithms: [KernelAlgorithm] {
        var result = [forwardChoice.algorithm]
        if isPointwise { result.append(.pointwiseGEMM) }
        if isDepthwise { result.append(.depthwiseDirect) }
        result.append(.im2colGEMM)
        return result.reduce(into: []) { unique, algorithm in if !unique.contains(algorithm) { unique.append(algorithm) } }
    }

    /// The rules' choice for the forward convolution (Winograd is a graph rewrite, see
    /// `WinogradRule`, so it is not among these).
    var forwardChoice: KernelChoice {
        if isDepthwise {
            return KernelChoice(
                .depthwiseDirect,
                reason: "one input channel per group (\(groups) groups): a GEMM per group would be "
                    + "\(outputChannelsPerGroup)x\(patchSize) by \(outputPlane), too small for BLAS")
        }
        if isPointwise {
            return KernelChoice(.pointwiseGEMM, reason: "1x1 stride 1 unpadded: the image is the GEMM operand, no copy")
        }
        return KernelChoice(
            .im2colGEMM,
            reason: "\(height.kernel)x\(width.kernel) stride \(height.stride)x\(width.stride): a \(patchSize)x\(outputPlane) "
                + "patch matrix, then one GEMM per image and group")
    }

    /// The choice of a backward product computed by `strategy` (the backward operators have one
    /// algorithm per shape).
    func backwardChoice(_ product: String) -> KernelChoice {
        switch strategy {
        case .depthwise:
            return KernelChoice(.depthwiseDirect, reason: "\(product) of a depthwise convolution: a direct loop per channel")
        case .pointwise:
            return KernelChoice(.pointwiseGEMM, reason: "\(product) of a 1x1 convolution: one GEMM on the image")
        case .im2col:
            return KernelChoice(.im2colGEMM, reason: "\(product) through a \(patchSize)x\(outputPlane) patch matrix and one GEMM")
        }
    }
}

/// When a forward convolution is computed by Winograd (`conv2d_winograd` over `winograd_filter`
/// weights, which `winograd-selection` writes into the graph).
///
/// Measured on this machine (one core, OpenBLAS, C = K): F(4×4, 3×3) beats im2col + GEMM at
/// 56×56 (4.21 against 4.60 ms at 64 channels) and 28×28 (2.34 against 3.03 ms at 128), and
/// loses at 7×7 (8.56 against 3.56 ms): its transforms and its α² small GEMMs cost more than the
/// multiplications it saves once a plane holds few tiles. So: 3×3, stride 1, dilation 1, one
/// group, at least `minimumOutput` outputs along each axis and `minimumChannels` channels in and out.
package enum WinogradRule {
    /// The smallest output height and width that Winograd is chosen for.
    package static let minimumOutput = 28
    /// The fewest input and output channels Winograd is chosen for (fewer make the α² GEMMs too thin).
    package static let minimumChannels = 32

    /// The tile side m of F(m×m, 3×3) for a `conv2d` node of this signature, or nil to keep
    /// the convolution as it is.
    package static func tile(for signature: OperatorSignature) -> Int? {
        guard let g = try? Conv2D().geometry(signature.inputs, signature.attributes) else { return nil }
        let threeByThree = g.height.kernel == 3 && g.width.kernel == 3
        let unit = g.height.stride == 1 && g.width.stride == 1 && g.height.dilation == 1 && g.width.dilation == 1
        guard threeByThree && unit && g.groups == 1,
              g.height.output >= minimumOutput && g.width.output >= minimumOutput,
              g.inputChannels >= minimumChannels && g.outputChannels >= minimumChannels else { return nil }
        return 4
    }
}
