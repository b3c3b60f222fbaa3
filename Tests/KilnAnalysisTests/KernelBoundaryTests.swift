import KilnAnalysis
import KilnIR
import KilnOps
import Testing

/// A kernel's bytes are the tensors crossing its boundary, each once; tensors inside it are free.
@Suite struct KernelBoundaryTests {
    /// y = relu(x · w + b) with x [1, 2048], w [2048, 1000], b [1000]; nodes %3 matmul, %4 add, %5 relu.
    func fullyConnected() throws -> Graph {
        var builder = GraphBuilder(name: "fc")
        builder.provenance = Provenance(layer: "fc", file: "App/Model.swift", line: 7)
        let x = builder.leaf(Node.inputOp, type: TensorType(.float32, [1, 2048]), name: "x", provenance: Provenance())
        let w = builder.leaf(Node.parameterOp, type: TensorType(.float32, [2048, 1000]), name: "fc.weight")
        let b = builder.leaf(Node.parameterOp, type: TensorType(.float32, [1000]), name: "fc.bias")
        let product = try builder.add("matmul", [x, w])
        let biased = try builder.add("add", [product, b])
        let y = try builder.add("relu", [biased], provenance: Provenance(layer: "act"))
        builder.graph.outputs = [GraphOutput(name: "y", node: y)]
        return builder.graph
    }

    @Test func aFusedKernelCountsOnlyItsBoundary() throws {
        let graph = try fullyConnected()
        let fused = try CostReport(graph: graph, kernels: [KernelGroup(name: "k000_matmul_add_relu", nodes: [NodeID(3), NodeID(4), NodeID(5)])])
        let kernel = fused.kernels[0]
        #expect(kernel.ops == ["matmul", "add", "relu"])
        #expect(kernel.nodeNames == ["fc.matmul", "fc.add", "act.relu"])
        #expect(kernel.macs == 2_048_000)
        #expect(kernel.flops == 4_096_000 + 1000 + 1000)
        #expect(kernel.bytesRead == (2048 + 2_048_000 + 1000) * 4)
        #expect(kernel.bytesWritten == 1000 * 4)
        #expect(kernel.parameters == 2_049_000)
        // The layer of the node with the most FLOPs.
        #expect(kernel.layer == "fc")
        #expect(kernel.location == "App/Model.swift:7")
        #expect(kernel.output == TensorType(.float32, [1, 1000]))

        let separate = try CostReport(graph: graph)
        #expect(separate.kernels.map(\.name) == ["k000_matmul", "k001_add", "k002_relu"])
        #expect(separate.totals().bytes == kernel.bytes + 2 * 2 * 4000)
        #expect(separate.totals().flops == kernel.flops)
        #expect(fused.nodes.map(\.kernel) == [0, 0, 0])
        #expect(separate.nodes.map(\.cost) == fused.nodes.map(\.cost))
    }

    @Test func aTensorNeededOutsideIsWrittenAndAnInputReadTwiceCountsOnce() throws {
        var builder = GraphBuilder(name: "shared")
        let x = builder.leaf(Node.inputOp, type: TensorType(.float32, [100]), name: "x")
        let square = try builder.add("mul", [x, x])
        let e = try builder.add("exp", [square])
        let y = try builder.add("add", [e, x])
        builder.graph.outputs = [GraphOutput(name: "y", node: y), GraphOutput(name: "square", node: square)]
        let report = try CostReport(graph: builder.graph, kernels: [KernelGroup(name: "k", nodes: [square, e, y])])
        #expect(report.kernels[0].bytesRead == 400)
        #expect(report.kernels[0].bytesWritten == 800)  // y, and x·x that the output "square" needs
        #expect(report.nodes[0].cost.bytesRead == 800)  // the operator itself counts both operands
    }

    @Test func describesEveryKernel() throws {
        let report = try CostReport(graph: try fullyConnected())
        #expect(report.description == """
            cost of 'fc': FLOPs = 2 x MACs (one multiply-accumulate is 2 FLOPs) + every other float operation; bytes = tensors crossing a kernel's boundary, each counted once
            k000_matmul forward fc f32[1,1000]: 2048000 MACs, 4096000 FLOPs, 8200192 + 4000 bytes, intensity 0.499 FLOP/B
            k001_add forward fc f32[1,1000]: 0 MACs, 1000 FLOPs, 8000 + 4000 bytes, intensity 0.0833 FLOP/B
            k002_relu forward act f32[1,1000]: 0 MACs, 1000 FLOPs, 4000 + 4000 bytes, intensity 0.125 FLOP/B
            """)
    }

    @Test func aNodeRecomputedInTwoKernelsCostsFlopsInEachAndNoBytes() throws {
        var builder = GraphBuilder(name: "recompute")
        let x = builder.leaf(Node.inputOp, type: TensorType(.float32, [100]), name: "x")
        let e = try builder.add("exp", [x])
        let a = try builder.add("add", [e, x])
        let b = try builder.add("mul", [e, x])
        builder.graph.outputs = [GraphOutput(name: "a", node: a), GraphOutput(name: "b", node: b)]
        let report = try CostReport(
            graph: builder.graph, kernels: [KernelGroup(name: "k0", nodes: [e, a]), KernelGroup(name: "k1", nodes: [e, b])])
        for kernel in report.kernels {
            #expect(kernel.flops == 200)
            #expect(kernel.bytesRead == 400 && kernel.bytesWritten == 400)
        }
        #expect(report.nodes.map(\.kernel) == [0, 0, 1])
    }

    @Test func rejectsKernelsThatNameNoComputedNode() throws {
        let graph = try fullyConnected()
        #expect(throws: KilnError.invalidArgument("kernel 'k' lists %1, which is not a computed node of graph 'fc'")) {
            try CostReport(graph: graph, kernels: [KernelGroup(name: "k", nodes: [NodeID(1)])])
        }
        #expect(throws: KilnError.invalidArgument("kernel 'empty' computes no node")) {
            try CostReport(graph: graph, kernels: [KernelGroup(name: "empty", nodes: [])])
        }
    }

    @Test func phasesSplitAtTheirFirstNodes() {
        let phases = GraphPhases(backwardStart: 5, updateStart: 9)
        #expect([0, 4, 5, 8, 9, 100].map { phases.phase(of: NodeID($0)) } == [.forward, .forward, .backward, .backward, .update, .update])
        #expect(GraphPhases.inference.phase(of: NodeID(1_000_000)) == .forward)
    }
}
