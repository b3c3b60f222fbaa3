import Kiln
import KilnCodegen
import KilnIR
import KilnInterpreter
import KilnOps
import KilnRuntime
import KilnTestSupport
import Testing

/// The kernel plan is what the code generator emits: the rules' choice by default, another
/// candidate when the plan says so (with the same results), and an error for an algorithm the
/// node cannot use.
@Suite struct KernelPlanTests {
    /// A depthwise convolution (groups = channels), padded and strided.
    static func depthwise() throws -> Graph {
        var builder = GraphBuilder(name: "depthwise")
        let x = builder.leaf(Node.inputOp, type: .f32(1, 6, 9, 7), name: "x")
        let w = builder.leaf(Node.inputOp, type: .f32(6, 1, 3, 3), name: "w")
        let y = try builder.add(
            "conv2d", [x, w], attributes: ["groups": .int(6), "padding": .ints([1]), "stride": .ints([2, 1])], name: "dw")
        builder.graph.outputs = [GraphOutput(name: "y", node: y)]
        return builder.graph
    }

    @Test func theEmittedAlgorithmIsThePlans() throws {
        let graph = try Self.depthwise()
        let convolution = try #require(graph.node(named: "dw")).id
        let rules = KernelPlan.rules(for: graph)
        #expect(rules[convolution]?.algorithm == .depthwiseDirect)
        let values = Dictionary(uniqueKeysWithValues: graph.inputs.enumerated().map { index, node in
            (node.name, TensorValue.random(node.type, seed: UInt64(index) + 1))
        })
        let reference = try Interpreter.run(graph, inputs: values.mapValues(ReferenceTensor.init), parameters: [:])["y"]!.values
        let im2col = try rules.choosing(.im2colGEMM, for: convolution, in: graph)
        for (plan, algorithm) in [(rules, "depthwise-direct"), (im2col, "im2col+gemm")] {
            let program = try CodeGenerator.generate(graph, kernelPlan: plan)
            #expect(program.source.contains("/* algorithm: \(algorithm) */"))
            #expect(program.kernels.map(\.algorithm) == [algorithm])
            let computed = try Executable(graph: graph, parameters: [:], program: program).run(values)["y"]!.doubles
            #expect(Approximate.normwiseRelativeError(computed, reference) < 1e-6, "\(algorithm)")
        }
    }

    @Test func anAlgorithmTheNodeCannotUseIsAnError() throws {
        let graph = try Self.depthwise()
        let convolution = try #require(graph.node(named: "dw")).id
        #expect(throws: KilnError.invalidArgument(
            "node \(convolution) 'dw' (conv2d) cannot use winograd-f4x4-3x3; its candidates: depthwise-direct, im2col+gemm"
        )) {
            try KernelPlan.rules(for: graph).choosing(.winogradF4x4, for: convolution, in: graph)
        }
    }

    @Test func thePlanPrintsOneLinePerNode() throws {
        let graph = try Self.depthwise()
        let text = KernelPlan.rules(for: graph).text(for: graph)
        #expect(text.hasPrefix("kernel plan: 1 GEMM-shaped nodes (depthwise-direct 1)\n"))
        #expect(text.contains("'dw' conv2d -> f32[1,6,5,7]: depthwise-direct, NCHW; one input channel per group (6 groups)"))
    }
}
