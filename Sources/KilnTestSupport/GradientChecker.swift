import Kiln
import KilnIR
import KilnInterpreter
import KilnOps
import KilnPasses
import KilnRuntime

/// Checks the backward graphs `gradients(of:wrt:)` builds: against float64 finite differences on
/// the interpreter, and compiled float32 code against the interpreter.
///
/// The output y is weighted by random values c: the backward graph is seeded with c, so it computes
/// the gradient of ⟨c, y⟩, and the finite differences differentiate the same function.
public enum GradientChecker {
    /// A forward graph extended with its backward nodes.
    public struct BackwardGraph: Sendable {
        /// The forward nodes, the output weights (an input named `weightsName`) and the backward
        /// nodes; outputs `y` and one `grad.NAME` per target.
        public var graph: Graph
        /// The forward graph alone, output `y`.
        public var forward: Graph
        /// The names of the targets, in order.
        public var targets: [String]
        /// The output weights c.
        public var weights: ReferenceTensor

        /// The name of the output-weights input.
        public static let weightsName = "gradient_check.weights"

        /// The output name of a target's gradient.
        public static func gradientName(_ target: String) -> String { "grad.\(target)" }
    }

    /// Differentiates `output` of `graph` with respect to the leaves named `targets` (inputs or
    /// parameters), seeding the output gradient with seeded random weights in [-1, 1] (float32 values).
    public static func backwardGraph(
        _ graph: Graph, output: NodeID, wrt targets: [String], seed: UInt64 = 1
    ) throws(KilnError) -> BackwardGraph {
        var forward = graph
        forward.outputs = [GraphOutput(name: "y", node: output)]
        var builder = GraphBuilder(graph: forward)
        var targetIDs: [NodeID] = []
        for name in targets {
            guard let node = graph.node(named: name) else {
                throw .invalidArgument("the graph has no node named '\(name)' to differentiate with respect to")
            }
            targetIDs.append(node.id)
        }
        let outputType = graph[output].type
        let weightsNode = builder.leaf(Node.inputOp, type: outputType, name: BackwardGraph.weightsName)
        let gradients = try builder.gradients(of: output, wrt: targetIDs, seed: weightsNode)
        builder.graph.outputs += zip(targets, gradients).map { GraphOutput(name: BackwardGraph.gradientName($0), node: $1) }
        var generator = SeededGenerator(seed: seed, stream: "gradient-check.weights")
        let weights = (0..<outputType.shape.elementCount).map { _ in Double(Float(generator.uniform(-1, 1))) }
        return BackwardGraph(
            graph: builder.graph, forward: forward, targets: targets, weights: ReferenceTensor(outputType, weights))
    }

    /// nil when every target's backward gradient (interpreted in float64) matches central
    /// differences of ⟨c, y⟩; otherwise what differs. `values` holds every input and parameter by name.
    public static func checkFiniteDifferences(
        _ backward: BackwardGraph, values: [String: ReferenceTensor],
        tolerance: FiniteDifferences.Tolerance = .float64, seed: UInt64 = 1
    ) throws(KilnError) -> String? {
        let gradients = try interpretedGradients(backward, values: values)
        for target in backward.targets {
            guard let x = values[target], let gradient = gradients[BackwardGraph.gradientName(target)] else {
                throw .invalidArgument("no value given for '\(target)'")
            }
            let weightedOutput = { (perturbed: [Double]) throws(KilnError) -> Double in
                var perturbedValues = values
                perturbedValues[target] = ReferenceTensor(x.type, perturbed)
                let y = try run(backward.forward, perturbedValues)["y"]?.values ?? []
                return zip(y, backward.weights.values).reduce(0) { $0 + $1.0 * $1.1 }
            }
            if let mismatch = try FiniteDifferences.mismatch(
                weightedOutput, at: x.values, gradient: gradient.values, tolerance: tolerance, seed: seed) {
                return "gradient of '\(target)' \(x.shape): \(mismatch)"
            }
        }
        return nil
    }

    /// nil when the backward graph compiled to float32 C gives the float64 interpreter's gradients
    /// within `relative`, with an absolute floor of `relative` times the largest gradient element
    /// (at least 1); otherwise what differs.
    public static func checkCompiled(
        _ backward: BackwardGraph, values: [String: ReferenceTensor], relative: Double = 1e-4
    ) throws(KilnError) -> String? {
        let expected = try interpretedGradients(backward, values: values)
        var inputs: [String: TensorValue] = [BackwardGraph.weightsName: backward.weights.tensorValue]
        var parameters: [String: TensorValue] = [:]
        for (name, value) in values {
            if backward.graph.node(named: name)?.op == Node.parameterOp {
                parameters[name] = value.tensorValue
            } else {
                inputs[name] = value.tensorValue
            }
        }
        let computed = try Executable(graph: backward.graph, parameters: parameters).run(inputs)
        for target in backward.targets {
            let name = BackwardGraph.gradientName(target)
            guard let actual = computed[name], let reference = expected[name] else { return "output \(name) missing" }
            let scale = Swift.max(1, reference.values.map(Swift.abs).max() ?? 0)
            if let mismatch = Approximate.mismatch(
                actual.doubles, reference.values, relative: relative, absolute: relative * scale) {
                return "gradient of '\(target)' \(reference.shape), compiled against interpreted: \(mismatch)"
            }
        }
        return nil
    }

    /// The backward graph of an operator's test case, differentiated with respect to every float
    /// input that is not integer-valued (masks and indices get no gradient).
    public static func backwardGraph(
        _ definition: any Operator, _ testCase: OperatorTestCase, seed: UInt64 = 1
    ) throws(KilnError) -> BackwardGraph {
        let graph = try OperatorHarness.graph(definition, testCase)
        let targets = testCase.inputs.indices.filter { index in
            testCase.inputs[index].dtype == .float32 && !testCase.integerValued.contains(index)
        }
        return try backwardGraph(graph, output: graph.outputs[0].node, wrt: targets.map { "x\($0)" }, seed: seed)
    }

    /// The operator test case's inputs (the conformance harness's seeded values) as reference tensors.
    public static func values(_ testCase: OperatorTestCase, seed: UInt64 = 1) -> [String: ReferenceTensor] {
        OperatorHarness.inputs(testCase, seed: seed).mapValues(ReferenceTensor.init)
    }

    private static func interpretedGradients(
        _ backward: BackwardGraph, values: [String: ReferenceTensor]
    ) throws(KilnError) -> [String: ReferenceTensor] {
        var values = values
        values[BackwardGraph.weightsName] = backward.weights
        return try run(backward.graph, values)
    }

    /// Interprets `graph`, taking each leaf's value from `values` whether it is an input or a parameter.
    private static func run(_ graph: Graph, _ values: [String: ReferenceTensor]) throws(KilnError) -> [String: ReferenceTensor] {
        let inputs = values.filter { graph.node(named: $0.key)?.op == Node.inputOp }
        let parameters = values.filter { graph.node(named: $0.key)?.op == Node.parameterOp }
        return try Interpreter.run(graph, inputs: inputs, parameters: parameters)
    }
}
