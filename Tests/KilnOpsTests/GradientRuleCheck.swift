import KilnIR
import KilnInterpreter
import KilnOps
import KilnTestSupport

/// Checks one operator's gradient rule on one test case without the autodiff pass: the rule's
/// backward nodes, seeded with random output weights c, are interpreted in float64 and compared
/// with central differences of ⟨c, y⟩ for every float input, element by element.
enum GradientRuleCheck {
    /// nil when every float input's gradient matches; otherwise what differs.
    static func mismatch(
        _ definition: any Operator, _ testCase: OperatorTestCase, seed: UInt64 = 3, tolerance: Double = 1e-6
    ) throws -> String? {
        let forward = try OperatorHarness.graph(definition, testCase)
        let output = forward.outputs[0].node
        var builder = GraphBuilder(graph: forward)
        let weights = builder.leaf(Node.inputOp, type: forward[output].type, name: "weights")
        var context = GradientContext(node: forward[output], outputGradient: weights, builder: builder)
        let gradients = try definition.gradients(&context)
        var backward = context.builder.graph
        for (index, gradient) in gradients.enumerated() {
            if let gradient { backward.outputs.append(GraphOutput(name: "grad\(index)", node: gradient)) }
        }

        var generator = SeededGenerator(seed: seed, stream: "gradient-rule-check")
        let c = (0..<forward[output].type.shape.elementCount).map { _ in generator.uniform(-1, 1) }
        var values = OperatorHarness.inputs(testCase, seed: seed).mapValues(ReferenceTensor.init)
        values["weights"] = ReferenceTensor(forward[output].type, c)
        let computed = try Interpreter.run(backward, inputs: values, parameters: [:])

        func weightedOutput(_ values: [String: ReferenceTensor]) throws -> Double {
            let y = try Interpreter.run(forward, inputs: values, parameters: [:])["y"]!.values
            return zip(y, c).reduce(0) { $0 + $1.0 * $1.1 }
        }
        for (index, type) in testCase.inputs.enumerated()
        where type.dtype == .float32 && !testCase.integerValued.contains(index) {
            guard let gradient = computed["grad\(index)"] else { return "input \(index) got no gradient" }
            let name = "x\(index)"
            let x = values[name]!
            for element in x.values.indices {
                let step = 1e-6 * max(1, abs(x.values[element]))
                var plus = values, minus = values
                plus[name]!.values[element] += step
                minus[name]!.values[element] -= step
                let numeric = (try weightedOutput(plus) - weightedOutput(minus)) / (2 * step)
                let analytic = gradient.values[element]
                if abs(analytic - numeric) > tolerance * max(1, abs(numeric)) {
                    return "input \(index) element \(element): rule gives \(analytic), finite differences \(numeric)"
                }
            }
        }
        return nil
    }
}
