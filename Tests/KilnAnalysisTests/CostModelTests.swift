import KilnAnalysis
import KilnIR
import KilnOps
import Testing

/// Exact counts for the seed catalog's §5.6 examples and the other operator families, and the
/// catalog's classification on a fixed machine (150 GFLOP/s, 20 GB/s, ridge 7.5 FLOP/B).
@Suite struct CostModelTests {
    let machine = GraphFixtures.machine

    @Test func fullyConnectedAtBatchOneIsMemoryBound() throws {
        // 2048 → 1000 at batch 1: a GEMV, about 0.5 FLOP/B (the catalog corrects S0:87).
        let kernel = try GraphFixtures.kernel(GraphFixtures.single("matmul", inputs: [[1, 2048]], parameters: [[2048, 1000]]))
        #expect(kernel.macs == 2_048_000)
        #expect(kernel.flops == 4_096_000)
        #expect(kernel.bytesRead == (2048 + 2_048_000) * 4)
        #expect(kernel.bytesWritten == 4000)
        #expect(kernel.parameters == 2_048_000)
        #expect(abs(kernel.intensity - 0.49925) < 1e-5)
        #expect(machine.bound(intensity: kernel.intensity) == .memory)
    }

    @Test func fullyConnectedParametersFollowTheCatalog() throws {
        // S1:550–551: a dense 784 → 30 layer has 784·30 + 30 = 23,550 parameters.
        var builder = GraphBuilder(name: "dense")
        let x = builder.leaf(Node.inputOp, type: TensorType(.float32, [1, 784]), name: "x")
        let w = builder.leaf(Node.parameterOp, type: TensorType(.float32, [784, 30]), name: "w", provenance: Provenance(layer: "fc"))
        let b = builder.leaf(Node.parameterOp, type: TensorType(.float32, [30]), name: "b", provenance: Provenance(layer: "fc"))
        let product = try builder.add("matmul", [x, w], provenance: Provenance(layer: "fc"))
        let y = try builder.add("add", [product, b], provenance: Provenance(layer: "fc"))
        builder.graph.outputs = [GraphOutput(name: "y", node: y)]
        let report = try CostReport(graph: builder.graph)
        #expect(report.parameterCount == 23_550)
        #expect(report.parametersByLayer == ["fc": 23_550])
        #expect(report.totals().macs == 23_520)
        #expect(report.totals().flops == 2 * 23_520 + 30)
    }

    @Test func largeGemmIsComputeBound() throws {
        let kernel = try GraphFixtures.kernel(GraphFixtures.single("matmul", inputs: [[1024, 1024], [1024, 1024]]))
        #expect(kernel.macs == 1_073_741_824)
        #expect(kernel.flops == 2_147_483_648)
        #expect(kernel.bytes == 3 * 1024 * 1024 * 4)
        #expect(abs(kernel.intensity - 2048.0 / 12) < 1e-9)  // ≈ 170.7
        #expect(machine.bound(intensity: kernel.intensity) == .compute)
    }

    @Test func reluAndAddAreMemoryBound() throws {
        // 56×56×64 = 200,704 elements.
        let relu = try GraphFixtures.kernel(GraphFixtures.single("relu", inputs: [[1, 64, 56, 56]]))
        #expect(relu.flops == 200_704)
        #expect(relu.bytes == 2 * 200_704 * 4)
        #expect(relu.intensity == 0.125)
        #expect(machine.bound(intensity: relu.intensity) == .memory)

        let add = try GraphFixtures.kernel(GraphFixtures.single("add", inputs: [[1, 64, 56, 56], [1, 64, 56, 56]]))
        #expect(add.flops == 200_704)
        #expect(add.bytes == 3 * 200_704 * 4)
        #expect(abs(add.intensity - 1.0 / 12) < 1e-12)  // ≈ 0.083
        #expect(machine.bound(intensity: add.intensity) == .memory)
    }

    @Test func concatIsMemoryBound() throws {
        let concat = try GraphFixtures.kernel(
            GraphFixtures.single("concat", inputs: [[1, 64, 56, 56], [1, 64, 56, 56]], attributes: ["axis": .int(1)]))
        #expect(concat.flops == 0)
        #expect(concat.bytes == 4 * 200_704 * 4)
        #expect(concat.intensity == 0)
        #expect(machine.bound(intensity: concat.intensity) == .memory)
    }

    @Test func softmaxCountsFiveFlopsPerElementAndOnePerRow() throws {
        let softmax = try GraphFixtures.kernel(GraphFixtures.single("softmax", inputs: [[32, 1000]]))
        #expect(softmax.macs == 0)
        #expect(softmax.flops == 5 * 32_000 + 32)
        #expect(softmax.bytes == 2 * 32_000 * 4)
        #expect(machine.bound(intensity: softmax.intensity) == .memory)
    }

    @Test func reductionReadsItsInputOnce() throws {
        let sum = try GraphFixtures.kernel(
            GraphFixtures.single("sum", inputs: [[64, 128]], attributes: ["axes": .ints([0]), "keepdims": .bool(false)]))
        #expect(sum.flops == 64 * 128)
        #expect(sum.bytesRead == 64 * 128 * 4)
        #expect(sum.bytesWritten == 128 * 4)
    }

    @Test func theZooMLPTotals() throws {
        // 784-512-512-10 at batch 64.
        let graph = MLPFixture.mnist(batch: 64)
        let report = try CostReport(graph: graph)
        #expect(report.parameterCount == 669_706)
        #expect(report.parametersByLayer == ["fc1": 401_920, "fc2": 262_656, "fc3": 5130])
        let totals = report.totals()
        #expect(totals.kernels == 8)
        #expect(totals.macs == 64 * (784 * 512 + 512 * 512 + 512 * 10))  // 42,795,008
        // 2·MACs, the bias adds and the ReLUs.
        #expect(totals.flops == 2 * 42_795_008 + 64 * (512 + 512 + 10) + 64 * (512 + 512))
        #expect(report.kernels.map(\.layer) == ["fc1", "fc1", "sequential.1", "fc2", "fc2", "sequential.3", "fc3", "fc3"])
    }
}
