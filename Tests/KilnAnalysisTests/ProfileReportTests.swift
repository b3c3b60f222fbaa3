import Foundation
import Kiln
import KilnModels
import KilnOps
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The report's outputs: documented JSON structure, CSV, a roofline SVG that parses as XML with
/// one point per kernel, and a Chrome trace. Measurements are made up: nothing here is timed.
@Suite struct ProfileReportTests {
    /// The MLP's inference graph at batch 64, one kernel per node, kernel i taking (i + 1) µs.
    func report(machine: MachineModel = GraphFixtures.machine) throws -> ProfileReport {
        let costs = try CostReport(graph: MLP.mnist(batch: 64).graph)
        let measurements = costs.kernels.indices.map { index in
            KernelMeasurement(
                medianSeconds: Double(index + 1) * 1e-6, traceStartSeconds: Double(index * index) * 1e-6,
                traceSeconds: Double(index + 1) * 1e-6)
        }
        return try ProfileReport(
            model: "mlp", mode: "inference", backend: "tcc", runs: 3, machine: machine, costs: costs, measurements: measurements)
    }

    @Test func ranksAndRates() throws {
        let report = try report()
        #expect(report.ranked.map(\.cost.index) == Array((0..<8).reversed()))
        let first = report.kernels[0]
        #expect(first.rank == 8)
        #expect(first.bound == .compute)
        #expect(abs(first.achievedGFLOPs - Double(first.cost.flops) / 1e-6 / 1e9) < 1e-9)
        #expect(abs(first.roofFraction - first.predictedSeconds / 1e-6) < 1e-12)
        #expect(report.layers.map(\.layer) == ["fc3", "fc2", "sequential.3", "fc1", "sequential.1"])
        #expect(report.layers[0].kernels == [6, 7])
        #expect(abs(report.layers.reduce(0) { $0 + $1.share } - 1) < 1e-12)
        #expect(throws: KilnError.invalidArgument("1 kernel measurements for 8 kernels")) {
            try ProfileReport(
                model: "m", mode: "inference", backend: "tcc", runs: 1, machine: GraphFixtures.machine,
                costs: report.costs, measurements: [report.kernels[0].measurement])
        }
    }

    @Test func jsonHasTheDocumentedStructure() throws {
        let report = try report(machine: MachineModel(peakGFLOPs: 150, bandwidthGBs: 20, jitTriadGBs: 3, jitFusedGBs: 2))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        #expect(Set(object.keys) == [
            "format", "version", "model", "mode", "backend", "runs", "convention", "parameters", "machine", "kernels",
            "operators", "layers", "totals",
        ])
        #expect(object["format"] as? String == "kiln-profile")
        #expect(object["version"] as? Int == 1)
        #expect(object["parameters"] as? Int == 669_706)
        #expect((object["convention"] as? String)?.hasPrefix("FLOPs = 2 x MACs") == true)
        let machine = try #require(object["machine"] as? [String: Any])
        #expect(Set(machine.keys) == [
            "peak_gflops", "bandwidth_gbs", "ridge_flop_per_byte", "threads", "cpu", "peak_method", "bandwidth_method",
            "jit_method", "source", "jit_triad_gbs", "jit_fused_gbs",
        ])
        #expect(machine["ridge_flop_per_byte"] as? Double == 7.5)
        let kernels = try #require(object["kernels"] as? [[String: Any]])
        #expect(kernels.count == 8)
        #expect(Set(kernels[0].keys) == [
            "index", "rank", "name", "ops", "nodes", "layer", "location", "phase", "output", "parameters", "macs", "flops",
            "bytes_read", "bytes_written", "intensity", "bound", "predicted_seconds", "measured_seconds",
            "trace_start_seconds", "trace_seconds", "achieved_gflops", "achieved_gbs", "roof_fraction",
        ])
        #expect(kernels[0]["name"] as? String == "k000_matmul")
        #expect(kernels[0]["ops"] as? [String] == ["matmul"])
        #expect(kernels[0]["nodes"] as? [String] == ["fc1.matmul"])
        #expect(kernels[0]["macs"] as? Int == 64 * 784 * 512)
        #expect(kernels[0]["bound"] as? String == "compute")
        #expect(kernels[0]["output"] as? String == "f32[64,512]")
        let operators = try #require(object["operators"] as? [[String: Any]])
        #expect(operators.count == 8)
        #expect(Set(operators[0].keys) == [
            "node", "kernel", "name", "op", "layer", "location", "phase", "output", "macs", "flops", "bytes_read",
            "bytes_written", "intensity",
        ])
        let layers = try #require(object["layers"] as? [[String: Any]])
        #expect(Set(layers[0].keys) == ["layer", "kernels", "parameters", "flops", "bytes", "measured_seconds", "share"])
        let totals = try #require(object["totals"] as? [String: [String: Any]])
        #expect(Set(totals.keys) == ["all", "forward"])
        #expect(Set(try #require(totals["all"]).keys) == [
            "kernels", "macs", "flops", "bytes_read", "bytes_written", "intensity", "measured_seconds", "predicted_seconds",
        ])
        #expect(totals["all"]?["macs"] as? Int == 64 * (784 * 512 + 512 * 512 + 512 * 10))
    }

    @Test func machineWithoutJITCeilingsLeavesTheirKeysOut() throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report().json().utf8)) as? [String: Any])
        let machine = try #require(object["machine"] as? [String: Any])
        #expect(machine["jit_triad_gbs"] == nil && machine["jit_fused_gbs"] == nil)
    }

    @Test func svgParsesWithOnePointPerKernel() throws {
        let report = try report(machine: MachineModel(peakGFLOPs: 150, bandwidthGBs: 20, jitTriadGBs: 3, jitFusedGBs: 2))
        let outline = try SVGOutline(RooflineChart(report: report).svg())
        #expect(outline.root == "svg")
        #expect(outline.circles(class: "kernel") == 8)
        #expect(outline.circles(class: "ridge") == 1)
        #expect(outline.polylines(class: "ceiling") == 4)  // memory, JIT triad, JIT fused, compute
        for kernel in report.kernels { #expect(outline.texts.contains(kernel.cost.name)) }
        #expect(outline.texts.contains("ridge 7.5 FLOP/B"))
        #expect(outline.texts.contains("peak 150 GFLOP/s"))
    }

    @Test func svgPlacesKernelsWithoutFlopsAndEscapesNames() throws {
        var builder = GraphBuilder(name: "copy<&>")
        let x = builder.leaf(Node.inputOp, type: TensorType(.float32, [4, 4]), name: "x")
        let y = try builder.add("reshape", [x], attributes: ["shape": .ints([16])], name: "flatten<&>")
        builder.graph.outputs = [GraphOutput(name: "y", node: y)]
        let costs = try CostReport(graph: builder.graph, kernels: [KernelGroup(name: "k<0>&", nodes: [y])])
        let report = try ProfileReport(
            model: "copy<&>", mode: "inference", backend: "tcc", runs: 1, machine: GraphFixtures.machine, costs: costs,
            measurements: [KernelMeasurement(medianSeconds: 1e-7, traceStartSeconds: 0, traceSeconds: 1e-7)])
        let outline = try SVGOutline(RooflineChart(report: report).svg())
        #expect(outline.circles(class: "kernel") == 1)
        #expect(outline.texts.contains("k<0>&"))
        #expect(outline.polylines(class: "ceiling") == 2)
    }

    @Test func chromeTraceHasOneCompleteEventPerKernel() throws {
        let report = try report()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.chromeTrace().utf8)) as? [String: Any])
        let events = try #require(object["traceEvents"] as? [[String: Any]])
        let complete = events.filter { $0["ph"] as? String == "X" }
        #expect(complete.count == 8)
        #expect(complete.map { $0["name"] as? String } == report.kernels.map(\.cost.name))
        let starts = complete.map { $0["ts"] as? Double ?? -1 }, durations = complete.map { $0["dur"] as? Double ?? -1 }
        #expect(zip(starts, (0..<8).map { Double($0 * $0) }).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(zip(durations, (1...8).map(Double.init)).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(complete.allSatisfy { $0["pid"] as? Int == 1 && $0["tid"] as? Int == 1 && $0["cat"] as? String == "forward" })
        let args = try #require(complete[0]["args"] as? [String: Any])
        #expect(args["layer"] as? String == "fc1" && args["flops"] as? Int == 2 * 64 * 784 * 512)
    }

    @Test func csvHasAHeaderAndOneQuotedRowPerKernel() throws {
        let lines = try report().csv().split(separator: "\n")
        #expect(lines.count == 9)
        #expect(lines[0].hasPrefix("index,rank,kernel,layer,location,phase,ops,output,parameters,macs,flops,"))
        #expect(lines[1].hasPrefix("0,8,k000_matmul,fc1,KilnModels/MLP.swift:"))
        #expect(lines[1].contains(",forward,matmul,\"f32[64,512]\",401408,25690112,51380224,"))
    }

    @Test func tableShowsTheConventionAndEveryKernel() throws {
        let table = try report().table()
        #expect(table.contains("convention: FLOPs = 2 x MACs (one multiply-accumulate is 2 FLOPs)"))
        let lines = table.split(separator: "\n")
        let header = try #require(lines.first { $0.hasPrefix("layer ") && $0.contains("kernel") })
        #expect(header.split(separator: " ") == [
            "layer", "kernel", "algorithm", "shape", "FLOPs", "bytes", "FLOP/B", "bound", "time", "µs", "GFLOP/s", "GB/s", "%", "of", "roof",
        ])
        for kernel in try report().kernels { #expect(table.contains(kernel.cost.name)) }
        #expect(table.contains("parameters: 669,706"))
    }
}

/// The elements of an SVG document that the tests count, read with Foundation's XMLParser.
final class SVGOutline: NSObject, XMLParserDelegate {
    private(set) var root = ""
    private(set) var elements: [(name: String, attributes: [String: String])] = []
    private(set) var texts: [String] = []
    private var text: String?

    init(_ svg: String) throws {
        super.init()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = self
        guard parser.parse() else {
            throw KilnError.invalidArgument("the SVG is not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "unknown error")")
        }
    }

    func circles(class name: String) -> Int { elements.filter { $0.name == "circle" && $0.attributes["class"] == name }.count }
    func polylines(class name: String) -> Int { elements.filter { $0.name == "polyline" && $0.attributes["class"] == name }.count }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if elements.isEmpty { root = elementName }
        elements.append((elementName, attributes))
        if elementName == "text" { text = "" }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text? += string }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        if elementName == "text", let text { texts.append(text) }
        text = nil
    }
}
