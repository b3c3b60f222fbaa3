import KilnIR

/// The window attributes of an ONNX convolution or pooling node over `rank` spatial axes
/// (`kernel_shape`, `strides`, `dilations`, `pads` or `auto_pad`), checked against that rank.
struct SpatialWindow {
    /// The window's extent on each spatial axis.
    var kernel: [Int]
    var strides: [Int]
    var dilations: [Int]
    /// The padding before each spatial axis, then after each (ONNX's order).
    var pads: [Int]

    /// The number of spatial axes.
    var rank: Int { kernel.count }

    /// Reads the window of `node` over the spatial axes of `input` ([N, C, spatial...]); `kernel`
    /// is the weight's spatial shape when `kernel_shape` is absent (convolutions).
    init(_ node: ONNXNode, input: Shape, kernel fallback: [Int]?) throws(KilnError) {
        let rank = input.rank - 2
        guard rank >= 1 else { throw node.error("input of shape \(input) has no spatial axes; expected [N, C, spatial...]") }
        guard let kernel = node.ints("kernel_shape") ?? fallback else { throw node.error("needs kernel_shape") }
        func read(_ key: String, _ values: [Int]?, count: Int, minimum: Int) throws(KilnError) -> [Int] {
            let values = values ?? Array(repeating: minimum == 1 ? 1 : 0, count: count)
            guard values.count == count else {
                throw node.error("\(key) \(values) needs \(count) values for the \(rank) spatial axes of input \(input)")
            }
            guard values.allSatisfy({ $0 >= minimum && $0 <= 1 << 31 }) else {
                throw node.error("\(key) \(values) must be \(minimum == 1 ? "positive" : "non-negative") (and below 2^31)")
            }
            return values
        }
        self.kernel = try read("kernel_shape", kernel, count: rank, minimum: 1)
        strides = try read("strides", node.ints("strides"), count: rank, minimum: 1)
        dilations = try read("dilations", node.ints("dilations"), count: rank, minimum: 1)
        let mode = node.string("auto_pad", default: "NOTSET")
        switch mode {
        case "NOTSET": pads = try read("pads", node.ints("pads"), count: 2 * rank, minimum: 0)
        case "VALID": pads = Array(repeating: 0, count: 2 * rank)
        case "SAME_UPPER", "SAME_LOWER":
            var begin: [Int] = [], end: [Int] = []
            for axis in 0..<rank {
                let size = input[axis + 2], output = (size + strides[axis] - 1) / strides[axis]
                let total = max(0, (output - 1) * strides[axis] + (self.kernel[axis] - 1) * dilations[axis] + 1 - size)
                begin.append(mode == "SAME_UPPER" ? total / 2 : total - total / 2)
                end.append(mode == "SAME_UPPER" ? total - total / 2 : total / 2)
            }
            pads = begin + end
        default: throw node.error("unknown auto_pad '\(mode)'")
        }
    }

    /// The window over one axis, as Kiln's 2-D operators see a 1-D one: a unit height.
    var lifted: SpatialWindow {
        rank == 1 ? SpatialWindow(kernel: [1] + kernel, strides: [1] + strides, dilations: [1] + dilations, pads: [0, pads[0], 0, pads[1]]) : self
    }

    /// The 2-D window of the last two of three spatial axes.
    var planar: SpatialWindow {
        SpatialWindow(kernel: Array(kernel[1...]), strides: Array(strides[1...]), dilations: Array(dilations[1...]),
                      pads: [pads[1], pads[2], pads[4], pads[5]])
    }

    private init(kernel: [Int], strides: [Int], dilations: [Int], pads: [Int]) {
        self.kernel = kernel
        self.strides = strides
        self.dilations = dilations
        self.pads = pads
    }

    /// The output extent on spatial axis `axis` for an input extent `size` (floor mode).
    func outputSize(_ axis: Int, input size: Int) -> Int {
        (size + pads[axis] + pads[rank + axis] - dilations[axis] * (kernel[axis] - 1) - 1) / strides[axis] + 1
    }
}
