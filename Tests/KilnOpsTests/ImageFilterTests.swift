import KilnIR
import KilnOps
import Testing

/// The notes' image filters (catalog §1.9, §6 items 16–17) on small images with hand-computed
/// results, interpreted and compiled.
@Suite struct ImageFilterTests {
    /// The filtered image (interpreted), after checking that compiled code agrees.
    private func filtered(
        _ image: [[Double]], _ filter: (inout GraphBuilder, NodeID) throws -> NodeID
    ) throws -> [[Double]] {
        let height = image.count, width = image[0].count
        var builder = GraphBuilder(name: "filter")
        let x = builder.leaf(Node.inputOp, type: .f32(1, 1, height, width), name: "x")
        let y = try filter(&builder, x)
        builder.graph.outputs = [GraphOutput(name: "y", node: y)]
        let input = ReferenceTensor(shape: [1, 1, height, width], image.flatMap { $0 })
        let (interpreted, compiled) = try GraphRunner.run(builder.graph, inputs: ["x": input])
        let values = try #require(interpreted["y"])
        #expect(GraphRunner.close(try #require(compiled["y"]), values, relative: 1e-6, absolute: 1e-6))
        #expect(builder.graph[y].type.shape == [1, 1, height, width])
        return (0..<height).map { Array(values[($0 * width)..<(($0 + 1) * width)]) }
    }

    private let ramp: [[Double]] = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]

    @Test func gaussianKernelSumsTo273() {
        #expect(GraphBuilder.gaussianKernel5x5.flatMap { $0 }.reduce(0, +) == 273)
        #expect(GraphBuilder.gaussianKernel5x5[2][2] == 41)
    }

    @Test func gaussianOfAnImpulseIsTheNormalizedKernel() throws {
        var impulse = Array(repeating: Array(repeating: 0.0, count: 5), count: 5)
        impulse[2][2] = 273
        let result = try filtered(impulse) { try $0.gaussianFilter($1) }
        let expected = GraphBuilder.gaussianKernel5x5.map { $0.map(Double.init) }
        #expect(GraphRunner.close(result.flatMap { $0 }, expected.flatMap { $0 }, relative: 1e-12))
    }

    @Test func gaussianKeepsAConstantImageInsideAndDarkensTheZeroPaddedBorder() throws {
        let result = try filtered(Array(repeating: Array(repeating: 1.0, count: 5), count: 5)) { try $0.gaussianFilter($1) }
        #expect(abs(result[2][2] - 1) < 1e-12)
        // The corner sees the kernel's lower-right 3×3 block: 41 + 2·26 + 2·7 + 16 + 2·4 + 1 = 132 of 273.
        #expect(abs(result[0][0] - 132.0 / 273) < 1e-12)
    }

    @Test func meanFilterAveragesThePixelsInsideTheImage() throws {
        let result = try filtered(ramp) { try $0.meanFilter($1) }
        #expect(result == [[3, 3.5, 4], [4.5, 5, 5.5], [6, 6.5, 7]])
    }

    @Test func medianFilterRemovesSaltNoise() throws {
        var noisy = Array(repeating: Array(repeating: 10.0, count: 4), count: 4)
        noisy[1][2] = 255
        noisy[3][0] = 255
        let result = try filtered(noisy) { try $0.medianFilter($1) }
        #expect(result == Array(repeating: Array(repeating: 10.0, count: 4), count: 4))
    }

    @Test func medianFilterTakesTheMiddleOfTheNeighbourhood() throws {
        let scrambled: [[Double]] = [[1, 9, 2], [8, 3, 7], [4, 6, 5]]
        let result = try filtered(scrambled) { try $0.medianFilter($1) }
        #expect(result[1][1] == 5)  // the median of 1…9
        #expect(result[0][0] == 5.5)  // of 1, 9, 8, 3: the mean of 3 and 8
        #expect(result[0][1] == 5)  // of 1, 9, 2, 8, 3, 7: the mean of 3 and 7
    }

    @Test func maxAndMinFilters() throws {
        #expect(try filtered(ramp) { try $0.maxFilter($1) } == [[5, 6, 6], [8, 9, 9], [8, 9, 9]])
        #expect(try filtered(ramp) { try $0.minFilter($1) } == [[1, 1, 2], [1, 1, 2], [4, 4, 5]])
    }

    @Test func errorMessages() {
        #expect(GraphRunner.errorMessage { _ = try filtered([[1]]) { try $0.meanFilter($1, size: 0) } }
            == "mean_filter 'mean_filter': size 0 must be at least 1")
        #expect(GraphRunner.errorMessage {
            var builder = GraphBuilder(name: "filter")
            let x = builder.leaf(Node.inputOp, type: .f32(4, 4), name: "x")
            _ = try builder.medianFilter(x)
        } == "median_filter 'median_filter': input 0 has shape [4,4]; expected rank 4 ([N,C,H,W])")
    }
}
