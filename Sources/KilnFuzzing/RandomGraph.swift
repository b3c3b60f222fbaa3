import Kiln
import KilnIR
import KilnOps

/// Small random valid graphs for the `compile` target, as `.kiln` text: one to three operators
/// of the registry, each on the input types and attributes of one of its own test cases with a
/// dimension or an integer attribute changed at random when the operator still accepts the
/// change, the later ones fed the previous output where their test case takes that type. Each
/// input's value interval (its test case's domain) is kept as `low` and `high` attributes of
/// the input node, so a saved case replays exactly.
enum RandomGraph {
    /// Operators with test cases, by mnemonic.
    static let operators = OperatorRegistry.all.filter { !$0.testCases.isEmpty }.sorted { $0.mnemonic < $1.mnemonic }
    /// The largest element count of any node (the interpreter runs every case).
    static let maximumElements = 4096

    /// A graph drawn from `mutator`, or nil when the draw gave none.
    static func generate(_ mutator: inout Mutator) -> [UInt8]? {
        var builder = GraphBuilder(name: "fuzz")
        var previous: NodeID?
        for depth in 0..<(1 + mutator.below(3)) {
            var (definition, testCase) = draw(&mutator)
            // A later operator takes the previous output as its first input when one of a few draws accepts it.
            if let previous, mutator.below(4) != 0 {
                let type = builder.graph[previous].type
                for _ in 0..<8 {
                    let (candidate, drawn) = draw(&mutator)
                    var chained = drawn
                    guard !chained.inputs.isEmpty, chained.inputs[0].dtype == type.dtype else { continue }
                    chained.inputs[0] = type
                    if (try? candidate.inferType(chained.inputs, chained.attributes)) != nil {
                        (definition, testCase) = (candidate, chained)
                        break
                    }
                }
            }
            perturb(&testCase, definition, &mutator, keepingFirst: previous != nil && testCase.inputs.first == previous.map { builder.graph[$0].type })
            var inputs: [NodeID] = []
            for (index, type) in testCase.inputs.enumerated() {
                if let previous, inputs.isEmpty, builder.graph[previous].type == type {
                    inputs.append(previous)
                    continue
                }
                let domain = testCase.domains[index]
                let integral = testCase.integerValued.contains(index)
                let attributes: Attributes = ["low": .float(domain.lowerBound), "high": .float(domain.upperBound), "integral": .bool(integral)]
                inputs.append(builder.leaf(Node.inputOp, type: type, name: "x\(depth)_\(index)", attributes: attributes))
            }
            guard let output = try? builder.add(definition.mnemonic, inputs, attributes: testCase.attributes, name: "y\(depth)"),
                  builder.graph[output].type.shape.checkedElementCount ?? .max <= maximumElements else { break }
            previous = output
        }
        guard let previous else { return nil }
        builder.graph.outputs = [GraphOutput(name: "y", node: previous)]
        let used = builder.graph.pruned()
        return Array(GraphText.print(used).utf8)
    }

    /// An operator and one of its test cases.
    static func draw(_ mutator: inout Mutator) -> (any Operator, OperatorTestCase) {
        let definition = operators[mutator.below(operators.count)]
        return (definition, definition.testCases[mutator.below(definition.testCases.count)])
    }

    /// Changes one input dimension (to 1...6; not the first input's when `keepingFirst`) or one
    /// integer attribute (to -2...4) of `testCase` when `definition` still infers a type for the
    /// result within the size bound.
    static func perturb(_ testCase: inout OperatorTestCase, _ definition: any Operator, _ mutator: inout Mutator, keepingFirst: Bool) {
        var candidate = testCase
        switch mutator.below(3) {
        case 0 where candidate.inputs.count > (keepingFirst ? 1 : 0):
            let index = (keepingFirst ? 1 : 0) + mutator.below(candidate.inputs.count - (keepingFirst ? 1 : 0))
            var dimensions = candidate.inputs[index].shape.dimensions
            guard !dimensions.isEmpty else { return }
            dimensions[mutator.below(dimensions.count)] = 1 + mutator.below(6)
            candidate.inputs[index].shape = Shape(dimensions)
        case 1:
            let names = candidate.attributes.sorted.compactMap { entry -> String? in
                switch entry.value { case .int, .ints: entry.name; default: nil }
            }
            guard !names.isEmpty else { return }
            let name = names[mutator.below(names.count)]
            let value = mutator.below(7) - 2
            if case .ints(var values) = candidate.attributes[name], !values.isEmpty {
                values[mutator.below(values.count)] = value
                candidate.attributes[name] = .ints(values)
            } else {
                candidate.attributes[name] = .int(value)
            }
        default: return
        }
        guard candidate.inputs.allSatisfy({ ($0.shape.checkedElementCount ?? .max) <= maximumElements }),
              let type = try? definition.inferType(candidate.inputs, candidate.attributes),
              type.shape.checkedElementCount ?? .max <= maximumElements else { return }
        testCase = candidate
    }

    /// Seeded inputs for `graph` within the intervals its input nodes carry.
    static func inputs(_ graph: Graph, seed: UInt64) -> [String: TensorValue] {
        var result: [String: TensorValue] = [:]
        for (index, node) in graph.inputs.enumerated() {
            var generator = SeededGenerator(seed: seed &+ UInt64(index) &* 7919)
            let low = node.attributes.float("low", default: -2), high = node.attributes.float("high", default: 2)
            let integral = node.type.dtype.isInteger || node.attributes["integral"] == .bool(true)
            let values = (0..<node.type.shape.elementCount).map { _ -> Double in
                let value = generator.uniform(low, high)
                return integral ? value.rounded(.down) : Double(Float(value))
            }
            result[node.name] = TensorValue(type: node.type, doubles: values)
        }
        return result
    }
}

extension RandomGraph {
    /// Compiles `graph` with tcc (the standard passes first), runs it on seeded inputs and
    /// compares every output with the reference interpreter's; a difference beyond float32's
    /// tolerance traps (a finding). Graphs larger than the generator makes are skipped.
    static func check(_ graph: Graph) throws(KilnError) {
        let elements = graph.nodes.reduce(0) { $0 + ($1.type.shape.checkedElementCount ?? .max / 2) }
        guard elements <= 16 * maximumElements else { return }
        let model = Model(graph: graph)
        let values = inputs(graph, seed: 1)
        let expected = try model.interpret(values)
        let actual = try model.compile(backend: .tcc).run(values)
        for output in graph.outputs {
            guard let reference = expected[output.name], let computed = actual[output.name], reference.type == computed.type else {
                fatalError("mismatch: output '\(output.name)' is missing or of another type")
            }
            if let message = Approximate.mismatch(computed.doubles, reference.doubles, relative: 1e-3, absolute: 1e-4) {
                fatalError("mismatch: compiled output '\(output.name)' differs from the interpreter's: \(message)")
            }
        }
    }
}
