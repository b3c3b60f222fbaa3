import Foundation

/// The roofline chart of a profile as a standalone SVG file: log-log axes (arithmetic intensity in
/// FLOPs per byte against GFLOP/s), the machine's memory and compute ceilings meeting at the ridge
/// point, the bandwidth ceilings of Kiln's JIT code (dashed) when measured, and one labelled
/// point per kernel at its intensity and achieved GFLOP/s, coloured by phase, with a tooltip.
/// A kernel with no FLOPs (a copy) has no place on log axes: it is drawn on the chart's lower
/// edge and its tooltip says so.
public struct RooflineChart {
    /// The profile drawn.
    public let report: ProfileReport

    /// Creates the chart of `report`.
    public init(report: ProfileReport) { self.report = report }

    private let width = 860.0, height = 560.0
    private let left = 80.0, right = 620.0, top = 50.0, bottom = 480.0

    /// The decades the axes span: x from below the lowest intensity to above the ridge point,
    /// y from below the slowest kernel to above the peak.
    private var range: (x: ClosedRange<Int>, y: ClosedRange<Int>) {
        let machine = report.machine
        let intensities = report.kernels.map(\.cost.intensity).filter { $0 > 0 }
        let rates = report.kernels.map(\.achievedGFLOPs).filter { $0 > 0 }
        let xLow = Int(floor(log10(min(intensities.min() ?? 1, machine.ridgeIntensity / 10, 0.1))))
        let xHigh = Int(ceil(log10(max(intensities.max() ?? 1, machine.ridgeIntensity * 10))))
        let yHigh = Int(ceil(log10(machine.peakGFLOPs * 2)))
        let floorRate = min(rates.min() ?? machine.peakGFLOPs, machine.bandwidthGBs * pow(10, Double(xLow)))
        let yLow = min(Int(floor(log10(floorRate))), yHigh - 2)
        return (xLow...max(xHigh, xLow + 1), yLow...yHigh)
    }

    private func x(_ intensity: Double) -> Double {
        let (xs, _) = range
        let position = (log10(intensity) - Double(xs.lowerBound)) / Double(xs.upperBound - xs.lowerBound)
        return left + (right - left) * min(max(position, 0), 1)
    }

    private func y(_ gflops: Double) -> Double {
        let (_, ys) = range
        let position = (log10(gflops) - Double(ys.lowerBound)) / Double(ys.upperBound - ys.lowerBound)
        return bottom - (bottom - top) * min(max(position, 0), 1)
    }

    /// The SVG document.
    public func svg() -> String {
        let machine = report.machine
        let (xs, ys) = range
        let xMin = pow(10, Double(xs.lowerBound)), xMax = pow(10, Double(xs.upperBound))
        var out: [String] = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(number(width))" height="\#(number(height))" "#
                + #"viewBox="0 0 \#(number(width)) \#(number(height))" font-family="sans-serif" font-size="12">"#,
            "<title>\(escaped("Roofline of \(report.model) (\(report.mode))"))</title>",
            #"<rect width="100%" height="100%" fill="white"/>"#,
            text(left, 28, "Roofline of \(report.model) (\(report.mode), \(report.backend)): \(report.kernels.count) kernels",
                 attributes: #"font-size="16" font-weight="bold""#),
        ]
        for decade in xs {
            let position = x(pow(10, Double(decade)))
            out.append(line(position, top, position, bottom, #"stroke="rgb(221,221,221)""#))
            out.append(text(position, bottom + 18, Quantity.fixed(pow(10, Double(decade))), attributes: #"text-anchor="middle""#))
        }
        for decade in ys {
            let position = y(pow(10, Double(decade)))
            out.append(line(left, position, right, position, #"stroke="rgb(221,221,221)""#))
            out.append(text(left - 6, position + 4, Quantity.fixed(pow(10, Double(decade))), attributes: #"text-anchor="end""#))
        }
        out.append(#"<rect x="\#(number(left))" y="\#(number(top))" width="\#(number(right - left))" height="\#(number(bottom - top))" fill="none" stroke="rgb(68,68,68)"/>"#)
        out.append(text((left + right) / 2, bottom + 42, "arithmetic intensity (FLOP/byte; FLOPs = 2 x MACs + other float ops)", attributes: #"text-anchor="middle""#))
        out.append(text(22, (top + bottom) / 2, "GFLOP/s", attributes: #"text-anchor="middle" transform="rotate(-90 22 \#(number((top + bottom) / 2)))""#))

        for (bandwidth, _, style) in ceilings {
            let knee = min(machine.peakGFLOPs / bandwidth, xMax)
            out.append(#"<polyline class="ceiling" points="\#(point(xMin, bandwidth * xMin)) \#(point(knee, bandwidth * knee))" fill="none" \#(style)/>"#)
        }
        out.append(#"<polyline class="ceiling" points="\#(point(machine.ridgeIntensity, machine.peakGFLOPs)) \#(point(xMax, machine.peakGFLOPs))" fill="none" stroke="rgb(34,34,34)" stroke-width="2"/>"#)
        out.append(text(right - 4, y(machine.peakGFLOPs) - 8, "peak \(Quantity.fixed(machine.peakGFLOPs)) GFLOP/s", attributes: #"text-anchor="end""#))
        let ridgeX = x(machine.ridgeIntensity), ridgeY = y(machine.peakGFLOPs)
        out.append(line(ridgeX, ridgeY, ridgeX, bottom, #"stroke="rgb(136,136,136)" stroke-dasharray="2,3""#))
        out.append(#"<circle class="ridge" cx="\#(number(ridgeX))" cy="\#(number(ridgeY))" r="5" fill="rgb(34,34,34)"/>"#)
        out.append(text(ridgeX + 8, ridgeY + 16, "ridge \(Quantity.fixed(machine.ridgeIntensity)) FLOP/B"))

        for kernel in report.kernels { out.append(point(for: kernel)) }
        let labels = kernelLabels(avoiding: [
            labelBox(right - 4, y(machine.peakGFLOPs) - 8, "peak \(Quantity.fixed(machine.peakGFLOPs)) GFLOP/s", fontSize: 12, anchorEnd: true),
            labelBox(ridgeX + 8, ridgeY + 16, "ridge \(Quantity.fixed(machine.ridgeIntensity)) FLOP/B", fontSize: 12),
            Label(x: ridgeX, y: ridgeY, text: "", box: (ridgeX - 6, ridgeY - 6, ridgeX + 6, ridgeY + 6)),
        ])
        out.append(contentsOf: labels.map { text($0.x, $0.y, $0.text, attributes: #"class="kernel-label" font-size="10""#) })
        if labels.count < report.kernels.count {
            out.append(text(left, bottom + 58, "labelled: the \(labels.count) slowest kernels with room for a label; every point's tooltip names its kernel",
                            attributes: #"font-size="10" fill="rgb(85,85,85)""#))
        }
        out.append(contentsOf: legend)
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    /// The bandwidth ceilings: the machine's, then the JIT's when measured.
    private var ceilings: [(Double, String, String)] {
        let machine = report.machine
        var result = [(machine.bandwidthGBs, "memory \(Quantity.fixed(machine.bandwidthGBs)) GB/s", #"stroke="rgb(34,34,34)" stroke-width="2""#)]
        if let triad = machine.jitTriadGBs {
            result.append((triad, "Kiln JIT triad \(Quantity.fixed(triad)) GB/s", #"stroke="rgb(204,0,51)" stroke-dasharray="6,4""#))
        }
        if let fused = machine.jitFusedGBs {
            result.append((fused, "Kiln JIT fused loop \(Quantity.fixed(fused)) GB/s", #"stroke="rgb(204,102,0)" stroke-dasharray="2,4""#))
        }
        return result
    }

    /// Where kernel `kernel`'s point is drawn.
    private func position(of kernel: KernelProfile) -> (x: Double, y: Double) {
        let onChart = kernel.cost.flops > 0 && kernel.achievedGFLOPs > 0
        return onChart ? (x(kernel.cost.intensity), y(kernel.achievedGFLOPs)) : (left, bottom)
    }

    private func point(for kernel: KernelProfile) -> String {
        let cost = kernel.cost
        let (cx, cy) = position(of: kernel)
        var tooltip = "\(cost.name) [\(cost.phase.rawValue)] layer \(cost.layer.isEmpty ? "-" : cost.layer): "
            + "\(cost.ops.joined(separator: "+")) -> \(cost.output); \(Quantity.si(Double(cost.flops))) FLOPs, "
            + "\(Quantity.si(Double(cost.bytes)))B, \(Quantity.fixed(cost.intensity)) FLOP/B, \(kernel.bound.rawValue)-bound; "
            + "\(Quantity.fixed(kernel.measuredSeconds * 1e6)) us, \(Quantity.fixed(kernel.achievedGFLOPs)) GFLOP/s, "
            + "\(Quantity.fixed(kernel.achievedGBs)) GB/s, \(Quantity.fixed(kernel.roofFraction * 100, digits: 2))% of roof"
        if !(cost.flops > 0 && kernel.achievedGFLOPs > 0) { tooltip += " (no FLOPs: drawn on the chart's edge)" }
        return #"<circle class="kernel" cx="\#(number(cx))" cy="\#(number(cy))" r="4.5" fill="\#(color(cost.phase))" fill-opacity="0.8" stroke="black" stroke-width="0.5"><title>\#(escaped(tooltip))</title></circle>"#
    }

    /// The most kernel labels allowed, so that a chart of a whole training step stays readable.
    public static let maximumLabels = 24

    /// A label and its box (x, y is the text's baseline start).
    struct Label {
        typealias Box = (minX: Double, minY: Double, maxX: Double, maxY: Double)
        var x: Double, y: Double, text: String
        var box: Box
    }

    /// The box a label of `text` at font size `fontSize` covers (0.6 em per character, the usual
    /// sans-serif average, and the font size tall above the baseline plus a descent).
    func labelBox(_ x: Double, _ y: Double, _ text: String, fontSize: Double, anchorEnd: Bool = false) -> Label {
        let width = Double(text.count) * fontSize * 0.6
        let start = anchorEnd ? x - width : x
        return Label(x: start, y: y, text: text, box: (start, y - fontSize, start + width, y + fontSize * 0.25))
    }

    /// Labels for the slowest kernels, each at the first of several places around its point that
    /// overlaps no other label, no point and none of `fixed`, and stays inside the plot; a kernel
    /// with no such place goes unlabelled (its tooltip names it).
    private func kernelLabels(avoiding fixed: [Label]) -> [Label] {
        func overlaps(_ a: Label.Box, _ b: Label.Box) -> Bool {
            a.minX < b.maxX && b.minX < a.maxX && a.minY < b.maxY && b.minY < a.maxY
        }
        let points = report.kernels.map { kernel -> Label.Box in
            let (cx, cy) = position(of: kernel)
            return (cx - 5, cy - 5, cx + 5, cy + 5)
        }
        var placed: [Label] = []
        let slowest = report.kernels.sorted { $0.measuredSeconds > $1.measuredSeconds }
        for kernel in slowest where placed.count < Self.maximumLabels {
            let (cx, cy) = position(of: kernel)
            let width = Double(kernel.cost.name.count) * 6
            let candidates = [(cx + 7, cy - 6), (cx + 7, cy + 14), (cx - 7 - width, cy - 6), (cx - 7 - width, cy + 14),
                              (cx - width / 2, cy - 9), (cx - width / 2, cy + 19)]
            for (lx, ly) in candidates {
                let label = labelBox(lx, ly, kernel.cost.name, fontSize: 10)
                let box = label.box
                guard box.minX >= left + 2, box.maxX <= right - 2, box.minY >= top + 2, box.maxY <= bottom - 2 else { continue }
                if points.contains(where: { overlaps($0, box) }) { continue }
                if (placed + fixed).contains(where: { overlaps($0.box, box) }) { continue }
                placed.append(label)
                break
            }
        }
        return placed
    }

    private var legend: [String] {
        var out: [String] = []
        var row = top + 10
        for phase in ExecutionPhase.allCases {
            out.append(#"<circle cx="\#(number(right + 24))" cy="\#(number(row - 4))" r="4.5" fill="\#(color(phase))"/>"#)
            out.append(text(right + 34, row, "\(phase.rawValue) kernel"))
            row += 18
        }
        for (_, label, style) in ceilings {
            out.append(#"<line class="legend-ceiling" x1="\#(number(right + 16))" y1="\#(number(row - 4))" x2="\#(number(right + 32))" y2="\#(number(row - 4))" \#(style)/>"#)
            out.append(text(right + 36, row, label, attributes: #"font-size="11""#))
            row += 16
        }
        for line in legendLines {
            row += 4
            out.append(text(right + 18, row, line, attributes: #"font-size="10""#))
            row += 14
        }
        return out
    }

    private var legendLines: [String] {
        let machine = report.machine
        var lines = [
            "peak: \(machine.peakMethod)", "memory: \(machine.bandwidthMethod)",
        ]
        if !machine.jitMethod.isEmpty { lines.append("JIT: \(machine.jitMethod)") }
        lines.append("source: \(machine.source.rawValue)")
        return lines.flatMap { wrapped($0, width: 34) }
    }

    private func wrapped(_ line: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in line.split(separator: " ") {
            if !current.isEmpty, current.count + 1 + word.count > width {
                lines.append(current)
                current = "  "
            }
            current += (current.isEmpty || current == "  " ? "" : " ") + word
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    private func color(_ phase: ExecutionPhase) -> String {
        switch phase {
        case .forward: "rgb(31,111,209)"
        case .backward: "rgb(224,123,0)"
        case .update: "rgb(42,157,58)"
        }
    }

    private func point(_ intensity: Double, _ gflops: Double) -> String { "\(number(x(intensity))),\(number(y(gflops)))" }

    private func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ style: String) -> String {
        #"<line x1="\#(number(x1))" y1="\#(number(y1))" x2="\#(number(x2))" y2="\#(number(y2))" \#(style)/>"#
    }

    private func text(_ x: Double, _ y: Double, _ content: String, attributes: String = "") -> String {
        let extra = attributes.isEmpty ? "" : " " + attributes
        return #"<text x="\#(number(x))" y="\#(number(y))"\#(extra)>\#(escaped(content))</text>"#
    }

    private func number(_ value: Double) -> String { String(format: "%.1f", value) }

    private func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
