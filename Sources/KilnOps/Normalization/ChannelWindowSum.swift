import KilnIR

/// The sum over a window of neighbouring channels: y[n,c,…] = Σ x[n,j,…] for j from c − `before`
/// to c + `after`, clipped to the existing channels (channels on axis 1; rank 2 or more).
/// Attributes `before` and `after`: non-negative integers, default 0. Local response
/// normalization (`GraphBuilder.localResponseNorm`) sums squares over such a window.
///
/// A primitive: the windowed sum is one pass of row additions (no padded copy, no slices), and
/// it is linear, so its gradient is the same operator with the window mirrored
/// (`before` and `after` swapped).
public struct ChannelWindowSum: Operator {
    public init() {}
    public var mnemonic: String { "channel_window_sum" }
    public var arity: ClosedRange<Int> { 1...1 }
    public var fusionKind: FusionKind { .reduction }

    func window(_ attributes: Attributes) throws(ShapeError) -> (before: Int, after: Int) {
        for name in ["before", "after"] {
            if let value = attributes[name], (attributes.int(name) ?? -1) < 0 {
                throw ShapeError("attribute '\(name)' is \(value); expected an integer ≥ 0")
            }
        }
        return (attributes.int("before", default: 0), attributes.int("after", default: 0))
    }

    /// The window clipped to the reach `channels` channels allow (a reach past the last channel sums
    /// the same channels), so no channel index computed from it can overflow.
    func clippedWindow(_ attributes: Attributes, channels: Int) -> (before: Int, after: Int) {
        let (before, after) = (try? window(attributes)) ?? (0, 0)
        let limit = Swift.max(channels - 1, 0)
        return (Swift.min(before, limit), Swift.min(after, limit))
    }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try checkArity(inputs)
        _ = try ChannelLayout(input: 0, of: inputs)
        _ = try window(attributes)
        return inputs[0]
    }

    /// The channels channel `c` sums, clipped to `0..<channels`.
    static func sources(of c: Int, channels: Int, before: Int, after: Int) -> ClosedRange<Int> {
        Swift.max(0, c - before)...Swift.min(channels - 1, c + after)
    }

    /// The channels summed for every output channel together (Σ꜀ `sources(of: c).count`), in
    /// closed form: the offset j from −`before` to `after` contributes the C − |j| channels it
    /// keeps inside `0..<C`, so no loop runs over the channels or the window.
    static func sourceCount(channels: Int, before: Int, after: Int) -> Int {
        guard channels > 0 else { return 0 }
        func side(_ reach: Int) -> Int {
            let m = Swift.min(reach, channels - 1)
            return m * channels - m * (m + 1) / 2
        }
        return channels + side(before) + side(after)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        let layout = ChannelLayout(signature.inputs[0].shape)
        let (before, after) = clippedWindow(signature.attributes, channels: layout.channels)
        let x = inputs[0].values
        var values = [Double](repeating: 0, count: x.count)
        for n in 0..<layout.batch {
            for c in 0..<layout.channels {
                let sources = Self.sources(of: c, channels: layout.channels, before: before, after: after)
                for i in 0..<layout.inner {
                    values[(n * layout.channels + c) * layout.inner + i] = sources.reduce(0) {
                        $0 + x[(n * layout.channels + $1) * layout.inner + i]
                    }
                }
            }
        }
        return ReferenceTensor(signature.output, values)
    }

    public func emitC(_ kernel: inout KernelContext) {
        let layout = ChannelLayout(kernel.signature.inputs[0].shape)
        let (before, after) = clippedWindow(kernel.attributes, channels: layout.channels)
        let x = kernel.inputs[0], y = kernel.output
        let channels = layout.channels, inner = layout.inner
        kernel.writer.loop("n", count: layout.batch) { batch in
            batch.loop("c", count: channels) { channel in
                channel.line("long first = c - \(before) < 0 ? 0 : c - \(before);")
                channel.line("long last = c + \(after) > \(channels - 1) ? \(channels - 1) : c + \(after);")
                channel.line("float *KILN_RESTRICT target = \(y) + (n * \(channels) + c) * \(inner);")
                channel.loop("i", count: inner) { body in body.line("target[i] = 0.0f;") }
                channel.block("for (long j = first; j <= last; j++)") { source in
                    source.line("const float *KILN_RESTRICT row = \(x) + (n * \(channels) + j) * \(inner);")
                    source.loop("i", count: inner) { body in body.line("target[i] += row[i];") }
                }
            }
        }
    }

    public func cost(_ signature: OperatorSignature) -> OperatorCost {
        let (before, after) = (try? window(signature.attributes)) ?? (0, 0)
        let layout = ChannelLayout(signature.inputs[0].shape)
        let additions = Self.sourceCount(channels: layout.channels, before: before, after: after)
        return OperatorCost(
            flops: additions * layout.batch * layout.inner,
            bytesRead: signature.inputs[0].byteCount, bytesWritten: signature.output.byteCount)
    }

    /// The same window sum of the output gradient with `before` and `after` swapped.
    public func gradients(_ context: inout GradientContext) throws(KilnError) -> [NodeID?] {
        let attributes = context.node.attributes
        let mirrored: Attributes = [
            "before": .int(attributes.int("after", default: 0)), "after": .int(attributes.int("before", default: 0)),
        ]
        return [try context.add(mnemonic, [context.outputGradient], attributes: mirrored)]
    }

    public var testCases: [OperatorTestCase] {
        [
            OperatorTestCase("lrn-5", inputs: [.f32(2, 7, 3, 2)], attributes: ["before": .int(2), "after": .int(2)]),
            OperatorTestCase("asymmetric", inputs: [.f32(2, 5, 3)], attributes: ["before": .int(1), "after": .int(2)]),
            OperatorTestCase("wider-than-channels", inputs: [.f32(3, 2)], attributes: ["before": .int(4), "after": .int(0)]),
            OperatorTestCase(
                "reach-past-every-channel", inputs: [.f32(2, 3, 2)], attributes: ["before": .int(1), "after": .int(Int.max)]),
            OperatorTestCase("identity", inputs: [.f32(1, 3, 2, 2)]),
            OperatorTestCase("size-1", inputs: [.f32(1, 1, 1, 1)], attributes: ["before": .int(1), "after": .int(1)]),
        ]
    }
}
