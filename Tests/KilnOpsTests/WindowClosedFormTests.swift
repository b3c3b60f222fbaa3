@testable import KilnOps
import Testing

/// The closed forms that replaced loops over every output position (which hung on a declared
/// extent of 2^62) agree with those loops on every small case.
@Suite struct WindowClosedFormTests {
    @Test func windowsInThePaddingAndTapCountsMatchTheScan() {
        for input in 1...7 { for kernel in 1...4 { for stride in 1...3 { for padBegin in 0...3 { for padEnd in 0...3 { for dilation in 1...3 {
            for ceilMode in [false, true] {
                let axis = WindowAxis(input: input, kernel: kernel, stride: stride, padBegin: padBegin, padEnd: padEnd, dilation: dilation, ceilMode: ceilMode)
                guard axis.output >= 1 else { continue }
                let scanned = (0..<axis.output).first { axis.taps(forOutput: $0).isEmpty }
                #expect(axis.firstOutputInPadding == scanned, "\(axis)")
                #expect(axis.realTapCount == (0..<axis.output).reduce(0) { $0 + axis.taps(forOutput: $1).count }, "\(axis)")
            }
        } } } } } }
    }

    @Test func channelWindowSourceCountMatchesTheScan() {
        for channels in 0...9 { for before in 0...12 { for after in 0...12 {
            let scanned = (0..<channels).reduce(0) {
                $0 + ChannelWindowSum.sources(of: $1, channels: channels, before: before, after: after).count
            }
            #expect(ChannelWindowSum.sourceCount(channels: channels, before: before, after: after) == scanned)
        } } }
        #expect(ChannelWindowSum.sourceCount(channels: 1 << 40, before: 2, after: 2) == 5 * (1 << 40) - 6)
    }
}
