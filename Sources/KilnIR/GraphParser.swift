/// Parses the `.kiln` text format (see `GraphText`) back into a `Graph`.
///
/// The parser checks the syntax and that every node is numbered in order; `Graph.verify()` and the
/// operator registry check the rest.
public struct GraphParser {
    private var scanner: TextScanner

    /// Parses `text` into a graph (a file's training block, if any, is checked and left out).
    public static func parse(_ text: String) throws(KilnError) -> Graph {
        try parseFile(text).inference
    }

    /// Parses a model file: its inference graph and, when the file has a
    /// `training graph NAME { ... }` block after it, the training forward graph.
    public static func parseFile(_ text: String) throws(KilnError) -> (inference: Graph, training: Graph?) {
        var parser = GraphParser(scanner: TextScanner(text))
        let inference = try parser.parseGraph()
        var training: Graph?
        if parser.scanner.peekWord("training") {
            try parser.scanner.expectWord("training")
            training = try parser.parseGraph()
        }
        parser.scanner.skipSpace()
        guard parser.scanner.atEnd else { throw parser.scanner.error("unexpected text after the closing '}'") }
        return (inference, training)
    }

    private mutating func parseGraph() throws(KilnError) -> Graph {
        try scanner.expectWord("graph")
        let name = try scanner.nameOrString()
        try scanner.expect("{")
        var graph = Graph(name: name)
        while true {
            if scanner.consume("}") { break }
            if scanner.peekWord("output") {
                try scanner.expectWord("output")
                let outputName = try scanner.string()
                try scanner.expect("=")
                let node = try scanner.nodeID()
                guard node.index < graph.nodes.count else {
                    throw scanner.error("output \(GraphText.quote(outputName)) refers to undefined node \(node)")
                }
                graph.outputs.append(GraphOutput(name: outputName, node: node))
                continue
            }
            if scanner.peekWord("update") {
                try scanner.expectWord("update")
                let target = try scanner.nodeID()
                try scanner.expect("=")
                let value = try scanner.nodeID()
                guard target.index < graph.nodes.count, value.index < graph.nodes.count else {
                    throw scanner.error("update refers to an undefined node")
                }
                graph.updates.append(GraphUpdate(target: target, value: value))
                continue
            }
            graph.nodes.append(try parseNode(expected: graph.nodes.count))
        }
        return graph
    }

    private mutating func parseNode(expected: Int) throws(KilnError) -> Node {
        let id = try scanner.nodeID()
        guard id.index == expected else {
            throw scanner.error("expected node %\(expected) here, found \(id): nodes are numbered in order")
        }
        try scanner.expect("=")
        let op = try scanner.word()
        try scanner.expect("(")
        var inputs: [NodeID] = []
        if !scanner.consume(")") {
            repeat {
                let input = try scanner.nodeID()
                guard input.index < expected else {
                    throw scanner.error("node \(id) reads \(input), which is not defined before it")
                }
                inputs.append(input)
            } while scanner.consume(",")
            try scanner.expect(")")
        }
        var attributes = Attributes()
        if scanner.consume("{") {
            if !scanner.consume("}") {
                repeat {
                    let key = try scanner.word()
                    try scanner.expect("=")
                    attributes[key] = try parseAttributeValue()
                } while scanner.consume(",")
                try scanner.expect("}")
            }
        }
        try scanner.expect(":")
        let type = try parseType()
        var name = ""
        var provenance = Provenance()
        while !scanner.atLineEnd {
            let key = try scanner.word()
            try scanner.expect("=")
            let value = try scanner.string()
            switch key {
            case "name": name = value
            case "layer": provenance.layer = value
            case "loc":
                guard let colon = value.lastIndex(of: ":"), let line = Int(value[value.index(after: colon)...]) else {
                    throw scanner.error("loc must be \"FILE:LINE\", found \(GraphText.quote(value))")
                }
                provenance.file = String(value[..<colon])
                provenance.line = line
            default: throw scanner.error("unknown node field '\(key)' (expected name, layer or loc)")
            }
        }
        return Node(id: id, op: op, inputs: inputs, attributes: attributes, type: type, name: name, provenance: provenance)
    }

    private mutating func parseType() throws(KilnError) -> TensorType {
        let dtypeName = try scanner.word()
        guard let dtype = DType(rawValue: dtypeName) else {
            throw scanner.error("unknown element type '\(dtypeName)' (expected f32, i32 or i64)")
        }
        try scanner.expect("[")
        var dimensions: [Int] = []
        if !scanner.consume("]") {
            repeat {
                let dimension = try scanner.integer()
                guard dimension >= 0 else { throw scanner.error("negative dimension \(dimension)") }
                dimensions.append(dimension)
            } while scanner.consume(",")
            try scanner.expect("]")
        }
        return TensorType(dtype, Shape(dimensions))
    }

    private mutating func parseAttributeValue() throws(KilnError) -> AttributeValue {
        if scanner.peek("\"") { return .string(try scanner.string()) }
        if scanner.consume("f[") {
            var values: [Double] = []
            if !scanner.consume("]") {
                repeat { values.append(try scanner.number().value) } while scanner.consume(",")
                try scanner.expect("]")
            }
            return .floats(values)
        }
        if scanner.consume("[") {
            var values: [Int] = []
            if !scanner.consume("]") {
                repeat { values.append(try scanner.integer()) } while scanner.consume(",")
                try scanner.expect("]")
            }
            return .ints(values)
        }
        if scanner.peekWord("true") { _ = try scanner.word(); return .bool(true) }
        if scanner.peekWord("false") { _ = try scanner.word(); return .bool(false) }
        let number = try scanner.number()
        return number.integer.map(AttributeValue.int) ?? .float(number.value)
    }
}
