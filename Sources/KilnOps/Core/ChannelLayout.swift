import KilnIR

/// A tensor whose axis 1 holds channels (NCHW, NC, NCL, ...), viewed as [batch, channels, inner]:
/// the layout of per-channel operators (batch norm, channel windows).
struct ChannelLayout {
    /// The extent of axis 0.
    var batch: Int
    /// The extent of axis 1.
    var channels: Int
    /// The product of the extents after axis 1 (1 for rank 2).
    var inner: Int
    /// The tensor's rank.
    var rank: Int

    /// The layout of `shape`, which must have rank 2 or more.
    init(_ shape: Shape) {
        batch = shape[0]
        channels = shape[1]
        inner = shape.dimensions.dropFirst(2).reduce(1, *)
        rank = shape.rank
    }

    /// The layout of input `index`, or an error naming it when its rank is below 2.
    init(input index: Int, of inputs: [TensorType]) throws(ShapeError) {
        let type = inputs[index]
        guard type.dtype == .float32 else { throw ShapeError("input \(index) is \(type); expected f32") }
        guard type.shape.rank >= 2 else {
            throw ShapeError("input \(index) has shape \(type.shape); expected rank 2 or more ([N,C,...], channels on axis 1)")
        }
        self.init(type.shape)
    }

    /// How many values each channel's statistics are over: batch × inner.
    var countPerChannel: Int { batch * inner }

    /// The axes per-channel statistics reduce: every axis but 1.
    var reducedAxes: [Int] { [0] + Array(2..<rank) }

    /// The shape [1, C, 1, ...] a per-channel vector takes to broadcast against the tensor.
    var channelShape: [Int] { [1, channels] + Array(repeating: 1, count: rank - 2) }

    /// Checks that input `index` (called `role`) is a float32 vector of one value per channel.
    func checkChannelVector(_ inputs: [TensorType], _ index: Int, role: String) throws(ShapeError) {
        let type = inputs[index]
        guard type.dtype == .float32, type.shape == Shape([channels]) else {
            throw ShapeError(
                "input \(index) (\(role)) is \(type); expected f32[\(channels)] "
                    + "(one value per channel of input 0, shape \(inputs[0].shape))")
        }
    }
}
