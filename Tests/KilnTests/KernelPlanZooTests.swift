import Kiln
import KilnIR
import KilnModels
import KilnOps
import Testing

/// `kiln show MODEL --plan` prints the kernel plan: for ResNet-18 and MobileNetV2 every
/// convolution has an algorithm, and the rules pick Winograd, depthwise and 1x1 GEMMs where the
/// shapes call for them.
@Suite struct KernelPlanZooTests {
    @Test(arguments: ["resnet18", "mobilenet_v2"])
    func everyConvolutionHasAnAlgorithm(name: String) throws {
        let model = try #require(Zoo.entry(name)).build(seed: 0)
        let report = try model.optimizationReport()
        let graph = report.optimized.graph, plan = report.optimized.kernelPlan
        let convolutions = graph.nodes.filter { $0.op == "conv2d" || $0.op == "conv2d_winograd" }
        #expect(!convolutions.isEmpty)
        let text = report.text()
        for node in convolutions {
            let choice = try #require(plan[node.id], "\(node.name) has no kernel choice")
            #expect(text.contains("\(node.id) '\(node.name)' \(node.op) -> \(node.type): \(choice.algorithm.rawValue), NCHW; "))
        }
        let algorithms = Set(convolutions.compactMap { plan[$0.id]?.algorithm })
        let expected: Set<KernelAlgorithm> = name == "resnet18"
            ? [.winogradF4x4, .winogradF2x2, .im2colGEMM]
            : [.depthwiseDirect, .pointwiseGEMM, .im2colGEMM]
        #expect(algorithms == expected)
    }
}
