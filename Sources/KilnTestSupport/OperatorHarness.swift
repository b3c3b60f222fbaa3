import Kiln
import KilnIR
import KilnInterpreter
import KilnOps
import KilnRuntime

/// Builds one-node graphs from an operator's test cases and runs them on the reference
/// interpreter and on compiled code.
public enum OperatorHarness {
    /// The graph `y = op(x0, x1, ...)` for a test case.
    public static func graph(_ definition: any Operator, _ testCase: OperatorTestCase) throws(KilnError) -> Graph {
        var builder = GraphBuilder(name: "\(definition.mnemonic)_\(testCase.label)")
        let inputs = testCase.inputs.enumerated().map { index, type in
            builder.leaf(Node.inputOp, type: type, name: "x\(index)")
        }
        let output = try builder.add(definition.mnemonic, inputs, attributes: testCase.attributes, name: "y")
        builder.graph.outputs = [GraphOutput(name: "y", node: output)]
        return builder.graph
    }

    /// Seeded random inputs within the test case's domains (integer-valued where asked).
    public static func inputs(_ testCase: OperatorTestCase, seed: UInt64) -> [String: TensorValue] {
        var result: [String: TensorValue] = [:]
        for (index, type) in testCase.inputs.enumerated() {
            var generator = SeededGenerator(seed: seed &+ UInt64(index) &* 7919)
            let domain = testCase.domains[index]
            let integral = type.dtype.isInteger || testCase.integerValued.contains(index)
            let values = (0..<type.shape.elementCount).map { _ -> Double in
                let value = generator.uniform(domain.lowerBound, domain.upperBound)
                return integral ? value.rounded(.down) : Double(Float(value))
            }
            result["x\(index)"] = TensorValue(type: type, doubles: values)
        }
        return result
    }

    /// Runs the case compiled and interpreted; nil when they agree within tolerance, otherwise
    /// what differs.
    public static func compare(
        _ definition: any Operator, _ testCase: OperatorTestCase, seed: UInt64 = 1,
        relative: Double = 1e-5, absolute: Double = 1e-5
    ) throws(KilnError) -> String? {
        let graph = try graph(definition, testCase)
        let values = inputs(testCase, seed: seed)
        let reference = try Interpreter.run(graph, inputs: values.mapValues(ReferenceTensor.init), parameters: [:])
        let executable = try Executable(graph: graph, parameters: [:])
        let computed = try executable.run(values)
        guard let expected = reference["y"], let actual = computed["y"] else { return "output y missing" }
        guard expected.type == actual.type else { return "type \(actual.type) computed, \(expected.type) expected" }
        return Approximate.mismatch(actual.doubles, expected.values, relative: relative, absolute: absolute)
    }
}
