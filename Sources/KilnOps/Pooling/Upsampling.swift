import KilnIR

/// How `upsample_nearest2d`, `upsample_bilinear2d` and their backward operators map output
/// positions to input positions, read from the attributes `size` [Ho, Wo] (or one value) or
/// `scale` [sh, sw] (floats, or one value; the output is ⌊I·scale⌋), exactly one of them, and
/// `align_corners` (bilinear only, default false).
///
/// The coordinate ratio follows PyTorch: input/output when `size` is given, 1/scale when
/// `scale` is. Nearest reads `min(⌊o·ratio⌋, I − 1)`. Bilinear reads between `⌊s⌋` and
/// `min(⌊s⌋ + 1, I − 1)` with weight `s − ⌊s⌋` on the second, where `s = o·(I−1)/(O−1)` with
/// `align_corners` (0 when O = 1) and `s = max(0, (o + ½)·ratio − ½)` without.
struct Upsampling: Hashable {
    var batch: Int
    var channels: Int
    var height: Axis
    var width: Axis

    /// One spatial axis of a resampling.
    struct Axis: Hashable {
        var input: Int
        var output: Int
        /// Input positions per output position.
        var ratio: Double

        /// The input position output `o` copies (nearest).
        func nearest(_ o: Int) -> Int { Swift.min(Int((Double(o) * ratio).rounded(.down)), input - 1) }

        /// The two input positions output `o` interpolates between, and the weight of the second.
        func linear(_ o: Int, alignCorners: Bool) -> (low: Int, high: Int, weight: Double) {
            let source: Double
            if alignCorners {
                source = output > 1 ? Double(o) * Double(input - 1) / Double(output - 1) : 0
            } else {
                source = Swift.max(0, (Double(o) + 0.5) * ratio - 0.5)
            }
            let low = Swift.min(Int(source.rounded(.down)), input - 1)
            return (low, Swift.min(low + 1, input - 1), source - Double(low))
        }
    }

    var inputShape: Shape { [batch, channels, height.input, width.input] }
    var outputShape: Shape { [batch, channels, height.output, width.output] }
    var planes: Int { batch * channels }
    var inputPlane: Int { height.input * width.input }
    var outputPlane: Int { height.output * width.output }

    /// Reads the resampling of a node of `op` for an input of `shape` (`label` names it in
    /// errors); `align_corners` is only checked here (the callers read it).
    static func read(_ shape: Shape, _ attributes: Attributes, op: some Operator, label: String) throws(ShapeError) -> Upsampling {
        let scale: [Double]?
        switch attributes["scale"] {
        case nil: scale = nil
        case .float(let value)?: scale = [value]
        case .int(let value)?: scale = [Double(value)]
        case .floats(let values)?: scale = values
        case .ints(let values)?: scale = values.map(Double.init)
        case let value?: throw ShapeError("attribute 'scale' is \(value); expected a number or a list of numbers")
        }
        guard (attributes["size"] != nil) != (scale != nil) else {
            throw ShapeError("\(op.mnemonic) needs exactly one of the attributes 'size' and 'scale'")
        }
        _ = try op.bool(attributes, "align_corners", default: false)
        guard shape[2] >= 1 && shape[3] >= 1 else { throw ShapeError("\(label): expected planes of at least one element") }
        if let scale {
            guard (1...2).contains(scale.count), scale.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw ShapeError("attribute 'scale' must be 1 or 2 positive numbers, got \(AttributeValue.floats(scale))")
            }
            let factors = (scale[0], scale[scale.count - 1])
            let extents = [Double(shape[2]) * factors.0, Double(shape[3]) * factors.1].map { $0.rounded(.down) }
            guard extents.allSatisfy({ $0 <= Double(maximumSpatialExtent) }) else {
                throw ShapeError("\(label): attribute 'scale' \(AttributeValue.floats(scale)) gives an output larger than \(maximumSpatialExtent)")
            }
            let output = SpatialPair(Int(extents[0]), Int(extents[1]))
            guard output.height >= 1 && output.width >= 1 else {
                throw ShapeError("\(label): attribute 'scale' \(AttributeValue.floats(scale)) leaves an empty output (\(output.size))")
            }
            return Upsampling(
                batch: shape[0], channels: shape[1],
                height: Axis(input: shape[2], output: output.height, ratio: 1 / factors.0),
                width: Axis(input: shape[3], output: output.width, ratio: 1 / factors.1))
        }
        let size = try SpatialPair.read(attributes, "size", default: nil, minimum: 1, op: op)
        return Upsampling(
            batch: shape[0], channels: shape[1],
            height: Axis(input: shape[2], output: size.height, ratio: Double(shape[2]) / Double(size.height)),
            width: Axis(input: shape[3], output: size.width, ratio: Double(shape[3]) / Double(size.width)))
    }

    /// Reads the resampling a backward operator undoes: its input dy [N, C, Ho, Wo] must be the
    /// output of resampling an input of attribute `input_size` [H, W].
    static func readBackward(_ inputs: [TensorType], _ attributes: Attributes, op: some Operator) throws(ShapeError) -> Upsampling {
        let dy = inputs[0].shape
        let size = try SpatialPair.read(attributes, "input_size", default: nil, minimum: 1, op: op)
        let upsampling = try read(
            [dy[0], dy[1], size.height, size.width], attributes, op: op, label: "attribute 'input_size' \(size)")
        guard dy == upsampling.outputShape else {
            throw ShapeError("input 0 has shape \(dy); expected \(upsampling.outputShape), the resampling of attribute 'input_size' \(size)")
        }
        return upsampling
    }
}
