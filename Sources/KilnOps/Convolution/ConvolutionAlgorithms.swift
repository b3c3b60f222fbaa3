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
                    + "\(outputChannelsPerGroup)x\(patchSize) by \(outputPlane), too small for BLAS"
                    + (usesFlatDepthwise ? "; output narrower than \(ConvolutionGeometry.flatDepthwiseWidth): one flat loop over phase planes" : ""))
        }
        if isPointwise {
            let blocks = pointwiseBlockColumns.map { "; column blocks of \($0), the epilogue (when it reads per plane) after each" } ?? ""
            return KernelChoice(.pointwiseGEMM, reason: "1x1 stride 1 unpadded: the image is the GEMM operand, no copy" + blocks)
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
/// Measured on this machine (one core, native tier, OpenBLAS with its AVX-512 kernels, ResNet-18's
/// layers, C = K): F(4×4, 3×3) takes 1.39 ms against im2col + GEMM's 2.71 at 56×56×64 and 1.14
/// against 2.54 at 28×28×128; at 14×14×256 F(4×4) loses (3.07 against 2.59: its transformed
/// filters, 36/9 of the weights, are read for only 16 tiles) and F(2×2) wins (1.95); at 7×7×512
/// both lose (F(2×2) 4.0-4.4 against 3.4). So: 3×3, stride 1, dilation 1, one group, at least
/// `minimumChannels` channels in and out; F(4×4) from `largeTileOutput` outputs along each axis,
/// F(2×2) from `minimumOutput`.
package enum WinogradRule {
    /// The smallest output height and width that Winograd is chosen for.
    package static let minimumOutput = 14
    /// The smallest output height and width that F(4×4) is chosen for (F(2×2) below it).
    package static let largeTileOutput = 28
    /// The fewest input and output channels Winograd is chosen for (fewer make the α² GEMMs too thin).
    package static let minimumChannels = 32

    /// Whether `conv2d_winograd` can compute a `conv2d` of this signature at all (3×3, stride 1,
    /// dilation 1, one group), whatever its size: the shapes `--tune` times Winograd for.
    package static func isComputable(_ signature: OperatorSignature) -> Bool {
        guard let g = try? Conv2D().geometry(signature.inputs, signature.attributes) else { return false }
        let threeByThree = g.height.kernel == 3 && g.width.kernel == 3
        let unit = g.height.stride == 1 && g.width.stride == 1 && g.height.dilation == 1 && g.width.dilation == 1
        return threeByThree && unit && g.groups == 1
    }

    /// The tile side m of F(m×m, 3×3) for a `conv2d` node of this signature, or nil to keep
    /// the convolution as it is.
    package static func tile(for signature: OperatorSignature) -> Int? {
        guard isComputable(signature), let g = try? Conv2D().geometry(signature.inputs, signature.attributes),
              g.height.output >= minimumOutput && g.width.output >= minimumOutput,
              g.inputChannels >= minimumChannels && g.outputChannels >= minimumChannels else { return nil }
        return g.height.output >= largeTileOutput && g.width.output >= largeTileOutput ? 4 : 2
    }
}
