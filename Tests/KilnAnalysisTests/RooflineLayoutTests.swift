import Foundation
import Kiln
import KilnModels
import Testing

/// The roofline chart stays readable with many kernels: kernel labels never overlap each other,
/// a point or the legend, stay inside the plot, and each ceiling is labelled once (in the legend).
/// Geometry comes from the SVG itself; a label's box is 0.6 em per character wide and one em tall.
@Suite struct RooflineLayoutTests {
    typealias Box = (minX: Double, minY: Double, maxX: Double, maxY: Double)

    /// MobileNetV2's inference graph, one kernel per node, with made-up times.
    static func manyKernelChart() throws -> (svg: String, kernels: Int) {
        let costs = try CostReport(graph: MobileNet.v2(batch: 1).graph)
        let measurements = costs.kernels.indices.map { index in
            let seconds = Double(1 + (index * 37) % 101) * 1e-6
            return KernelMeasurement(medianSeconds: seconds, traceStartSeconds: 0, traceSeconds: seconds)
        }
        let machine = MachineModel(peakGFLOPs: 150, bandwidthGBs: 20, jitTriadGBs: 3.41, jitFusedGBs: 2.94)
        let report = try ProfileReport(
            model: "mobilenet_v2", mode: "inference", backend: "tcc", runs: 1, machine: machine, costs: costs, measurements: measurements)
        return (RooflineChart(report: report).svg(), report.kernels.count)
    }

    static func overlaps(_ a: Box, _ b: Box) -> Bool { a.minX < b.maxX && b.minX < a.maxX && a.minY < b.maxY && b.minY < a.maxY }

    @Test func labelsDoNotCollide() throws {
        let (svg, kernelCount) = try Self.manyKernelChart()
        #expect(kernelCount > 60)
        let outline = try SVGOutline(svg)
        let textElements = outline.elements.filter { $0.name == "text" }
        #expect(textElements.count == outline.texts.count)
        let labels: [Box] = zip(textElements, outline.texts).compactMap { element, text in
            guard element.attributes["class"] == "kernel-label",
                  let x = Double(element.attributes["x"] ?? ""), let y = Double(element.attributes["y"] ?? ""),
                  let size = Double(element.attributes["font-size"] ?? "") else { return nil }
            return (x, y - size, x + Double(text.count) * size * 0.6, y + size * 0.25)
        }
        #expect(labels.count >= 8 && labels.count <= RooflineChart.maximumLabels)
        for (index, label) in labels.enumerated() {
            for other in labels[(index + 1)...] { #expect(!Self.overlaps(label, other)) }
        }
        let points: [Box] = outline.elements.filter { $0.name == "circle" && $0.attributes["class"] == "kernel" }.compactMap {
            guard let cx = Double($0.attributes["cx"] ?? ""), let cy = Double($0.attributes["cy"] ?? "") else { return nil }
            return (cx - 4.5, cy - 4.5, cx + 4.5, cy + 4.5)
        }
        #expect(points.count == kernelCount)
        for label in labels { #expect(!points.contains { Self.overlaps($0, label) }) }
        let frame = try #require(outline.elements.first { $0.name == "rect" && $0.attributes["fill"] == "none" })
        let left = Double(frame.attributes["x"] ?? "") ?? 0, width = Double(frame.attributes["width"] ?? "") ?? 0
        let top = Double(frame.attributes["y"] ?? "") ?? 0, height = Double(frame.attributes["height"] ?? "") ?? 0
        for label in labels {
            #expect(label.minX >= left && label.maxX <= left + width && label.minY >= top && label.maxY <= top + height)
        }
    }

    @Test func eachCeilingIsLabelledOnceInTheLegend() throws {
        let outline = try SVGOutline(try Self.manyKernelChart().svg)
        for label in ["memory 20 GB/s", "Kiln JIT triad 3.41 GB/s", "Kiln JIT fused loop 2.94 GB/s", "peak 150 GFLOP/s"] {
            #expect(outline.texts.filter { $0 == label }.count == 1, "\(label)")
        }
        #expect(outline.elements.filter { $0.name == "line" && $0.attributes["class"] == "legend-ceiling" }.count == 3)
        #expect(outline.texts.contains { $0.hasPrefix("labelled: the ") })
    }
}
