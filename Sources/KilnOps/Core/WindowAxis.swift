/// One spatial axis of a sliding window (a convolution kernel or a pooling window).
///
/// Output position `o` reads input positions `o·stride − padBegin + k·dilation` for the taps
/// `k = 0..<kernel`; positions outside `0..<input` are padding. Every index computation of the
/// convolution and pooling operators goes through this type, so the shape rules, the references,
/// the C tables and the costs agree.
public struct WindowAxis: Sendable, Hashable {
    /// Input extent.
    public var input: Int
    /// Number of taps.
    public var kernel: Int
    /// Step between consecutive output positions, in input positions.
    public var stride: Int
    /// Padding before the first input position.
    public var padBegin: Int
    /// Padding after the last input position.
    public var padEnd: Int
    /// Step between consecutive taps.
    public var dilation: Int
    /// Output extent.
    public var output: Int

    /// Creates an axis with an explicit output extent.
    public init(input: Int, kernel: Int, stride: Int, padBegin: Int, padEnd: Int, dilation: Int, output: Int) {
        self.input = input
        self.kernel = kernel
        self.stride = stride
        self.padBegin = padBegin
        self.padEnd = padEnd
        self.dilation = dilation
        self.output = output
    }

    /// An axis whose output extent is the convolution's ⌊(I + pads − d·(k−1) − 1)/s⌋ + 1, or with
    /// `ceilMode` the rounded-up count, dropping a last window that would start in the end padding
    /// (PyTorch's pooling rule). The output is 0 or less when the window does not fit.
    public init(input: Int, kernel: Int, stride: Int, padBegin: Int, padEnd: Int, dilation: Int, ceilMode: Bool = false) {
        let room = input + padBegin + padEnd - dilation * (kernel - 1) - 1
        var output = (ceilMode ? WindowAxis.ceilDivide(room, stride) : WindowAxis.floorDivide(room, stride)) + 1
        if ceilMode && room >= 0 && (output - 1) * stride >= input + padBegin { output -= 1 }
        self.init(
            input: input, kernel: kernel, stride: stride, padBegin: padBegin, padEnd: padEnd, dilation: dilation,
            output: output)
    }

    /// The extent of the dilated window, `d·(k−1) + 1`.
    public var span: Int { dilation * (kernel - 1) + 1 }

    /// The input position that output `o` reads at tap `k` (may lie in the padding).
    public func inputIndex(output o: Int, tap k: Int) -> Int { o * stride - padBegin + k * dilation }

    /// The output positions whose tap `k` reads a real input position (not padding).
    public func outputs(forTap k: Int) -> Range<Int> {
        let offset = k * dilation - padBegin
        let low = Swift.max(0, WindowAxis.ceilDivide(-offset, stride))
        let high = Swift.min(output, WindowAxis.ceilDivide(input - offset, stride))
        return low..<Swift.max(low, high)
    }

    /// The first output position whose window lies wholly in the padding, or nil when every
    /// window reads an input position: found from the `kernel` ranges of `outputs(forTap:)`
    /// (whose union must cover every output), not by visiting each output.
    public var firstOutputInPadding: Int? {
        var covered = 0
        for range in (0..<kernel).map(outputs(forTap:)).filter({ !$0.isEmpty }).sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if range.lowerBound > covered { return covered }
            covered = Swift.max(covered, range.upperBound)
        }
        return covered < output ? covered : nil
    }

    /// The taps that read real input positions, summed over every output (Σₒ `taps(forOutput: o).count`),
    /// counted tap by tap.
    public var realTapCount: Int { (0..<kernel).reduce(0) { $0 + outputs(forTap: $1).count } }

    /// The taps of output `o` that read real input positions (not padding).
    public func taps(forOutput o: Int) -> Range<Int> {
        let start = o * stride - padBegin
        let low = Swift.max(0, WindowAxis.ceilDivide(-start, dilation))
        let high = Swift.min(kernel, WindowAxis.ceilDivide(input - start, dilation))
        return low..<Swift.max(low, high)
    }

    /// The taps of output `o` inside the padded input `−padBegin..<input + padEnd` (a window
    /// that `ceilMode` let run past the end is cut there): the divisor of average pooling that
    /// counts padding.
    public func paddedTapCount(forOutput o: Int) -> Int {
        let start = o * stride - padBegin
        return Swift.min(kernel, Swift.max(0, WindowAxis.ceilDivide(input + padEnd - start, dilation)))
    }

    /// ⌈a / b⌉ for b > 0, for any sign of a.
    static func ceilDivide(_ a: Int, _ b: Int) -> Int { -floorDivide(-a, b) }

    /// ⌊a / b⌋ for b > 0, for any sign of a.
    static func floorDivide(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
}
