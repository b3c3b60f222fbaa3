import Foundation
import KilnIR
import KilnOps
import Testing

@Suite struct GraphTextTests {
    func sampleGraph() throws -> Graph {
        var builder = GraphBuilder(name: "sample")
        let x = builder.leaf(Node.inputOp, type: .f32(2, 3), name: "x", provenance: Provenance(layer: "in", file: "App/M.swift", line: 3))
        let w = builder.leaf(
            Node.parameterOp, type: .f32(3, 4), name: "w \"odd\"\nname\\ é",
            attributes: ParameterInitializer.xavierUniform(fanIn: 3, fanOut: 4, gain: 1).attributes)
        let c = builder.leaf(Node.constantOp, type: .f32(), name: "c", attributes: ["value": .floats([0.1])])
        let m = try builder.add("matmul", [x, w], attributes: ["transpose_a": .bool(false)])
        let s = try builder.add("mul", [m, c], provenance: Provenance(layer: "scale", file: "App/M.swift", line: 9))
        builder.graph.outputs = [GraphOutput(name: "out", node: s)]
        builder.graph.nodes[s.index].attributes["extra"] = .floats([1, -2.5, 1e-30, .infinity])
        builder.graph.nodes[s.index].attributes["list"] = .ints([-1, 0, 7])
        builder.graph.nodes[s.index].attributes["mode"] = .string("a\tb")
        return builder.graph
    }

    @Test func printThenParseGivesTheIdenticalGraph() throws {
        let graph = try sampleGraph()
        let text = GraphText.print(graph)
        #expect(try GraphParser.parse(text) == graph)
        #expect(GraphText.print(try GraphParser.parse(text)) == text)
    }

    @Test func randomGraphsRoundTrip() throws {
        var generator = SeededGenerator(seed: 42)
        let unary = ["relu", "exp", "tanh", "neg", "sigmoid"]
        for trial in 0..<20 {
            var builder = GraphBuilder(name: "random\(trial)")
            var nodes = [builder.leaf(Node.inputOp, type: .f32(3, 4), name: "x")]
            for _ in 0..<10 {
                let a = nodes[Int(generator.next() % UInt64(nodes.count))]
                if generator.next() % 2 == 0 {
                    nodes.append(try builder.add(unary[Int(generator.next() % 5)], [a]))
                } else {
                    let b = nodes[Int(generator.next() % UInt64(nodes.count))]
                    nodes.append(try builder.add("add", [a, b]))
                }
            }
            builder.graph.outputs = [GraphOutput(name: "y", node: nodes.last!)]
            let graph = builder.graph
            #expect(try GraphParser.parse(GraphText.print(graph)) == graph)
        }
    }

    @Test func printedFormIsReadable() throws {
        let text = GraphText.print(try sampleGraph())
        #expect(text.hasPrefix("graph sample {\n  %0 = input() : f32[2,3] name=\"x\" layer=\"in\" loc=\"App/M.swift:3\"\n"))
        #expect(text.contains("%3 = matmul(%0, %1) {transpose_a=false} : f32[2,4] name=\"matmul\""))
        #expect(text.contains("name=\"w \\\"odd\\\"\\nname\\\\ é\""))
        #expect(text.hasSuffix("  output \"out\" = %4\n}\n"))
    }

    @Test func parseErrorsNameTheLine() {
        #expect(throws: KilnError.parse(line: 2, message: "expected node %0 here, found %1: nodes are numbered in order")) {
            try GraphParser.parse("graph g {\n  %1 = input() : f32[1] name=\"x\"\n}")
        }
        #expect(throws: KilnError.parse(line: 3, message: "node %1 reads %5, which is not defined before it")) {
            try GraphParser.parse("graph g {\n  %0 = input() : f32[1] name=\"x\"\n  %1 = relu(%5) : f32[1] name=\"y\"\n}")
        }
        #expect(throws: KilnError.parse(line: 2, message: "unknown element type 'f16' (expected f32, i32 or i64)")) {
            try GraphParser.parse("graph g {\n  %0 = input() : f16[1] name=\"x\"\n}")
        }
        #expect(throws: KilnError.parse(line: 2, message: "unterminated string")) {
            try GraphParser.parse("graph g {\n  %0 = input() : f32[1] name=\"x\n}")
        }
        #expect(throws: KilnError.parse(line: 1, message: "expected '{', found the end of the text")) {
            try GraphParser.parse("graph g")
        }
    }

    @Test func verifierCatchesTypeAndStructureErrors() throws {
        var graph = try sampleGraph()
        graph.nodes[3].type = .f32(9)
        #expect(throws: KilnError.invalidGraph("node %3 'matmul' (matmul) is typed f32[9] but its inputs give f32[2,4]")) {
            try OperatorRegistry.verify(graph)
        }
        graph = try sampleGraph()
        graph.nodes[4].name = "x"
        #expect(throws: KilnError.invalidGraph("two nodes are named 'x' (the second is %4)")) { try graph.verify() }
        graph = try sampleGraph()
        graph.nodes[3].op = "frobnicate"
        #expect(throws: KilnError.unsupportedOperator(NodeContext(op: "frobnicate", name: "matmul", inputTypes: [.f32(2, 3), .f32(3, 4)]))) {
            try OperatorRegistry.verify(graph)
        }
        graph = try sampleGraph()
        graph.outputs = []
        #expect(throws: KilnError.invalidGraph("graph 'sample' has no outputs")) { try graph.verify() }
    }
}

@Suite struct GraphTextLineEndingTests {
    @Test func crlfLineBreaksParseLikeLF() throws {
        let graph = try GraphTextTests().sampleGraph()
        let text = GraphText.print(graph)
        let crlf = text.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try GraphParser.parse(crlf) == graph)
        do {
            _ = try GraphParser.parse("graph g {\r\n  %0 = input() : f32[2] name=\"x\"\r\n  %1 = nosuch(%0)\r\n}\r\n")
            Issue.record("expected a parse error")
        } catch {
            #expect(error.description == "parse error at line 4: expected ':', found '}'")
        }
    }
}
