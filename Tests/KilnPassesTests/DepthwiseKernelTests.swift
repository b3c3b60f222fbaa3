import KilnCodegen
import KilnIR
import KilnInterpreter
import KilnOps
import KilnPasses
import KilnRuntime
import Testing

/// The depthwise kernel's two loops (rows for wide outputs, the flat loop over phase planes for
/// narrow ones) and the 1×1 convolution's column blocks, each with the fused epilogue it applies
/// per block, and the one-row product: optimized and fused as a model is, against the float64
/// interpreter, under tcc and under the native compiler.
@Suite struct DepthwiseKernelTests {
    static let native = NativeBackend(cache: nil)

    /// x shape, weight shape, attributes: odd sizes, padding, stride 2 and 2×3, a channel
    /// multiplier, dilation, batch 2, and outputs on both sides of `flatDepthwiseWidth`; the
    /// last a 1×1 convolution of 3 column blocks (160, 160, 3) per image.
    static let cases: [(x: [Int], w: [Int], attributes: Attributes)] = [
        ([2, 3, 7, 7], [3, 1, 3, 3], ["groups": .int(3), "padding": .ints([1])]),
        ([1, 5, 14, 14], [5, 1, 3, 3], ["groups": .int(5), "padding": .ints([1]), "stride": .ints([2])]),
        ([2, 3, 9, 11], [3, 1, 3, 3], ["groups": .int(3), "padding": .ints([1]), "stride": .ints([2])]),
        ([1, 2, 8, 10], [4, 1, 3, 3], ["groups": .int(2), "padding": .ints([0, 0, 1, 1]), "stride": .ints([2, 3])]),
        ([1, 3, 6, 6], [3, 1, 3, 2], ["groups": .int(3), "dilation": .ints([2, 1]), "padding": .ints([2, 0, 1, 1])]),
        ([2, 3, 7, 9], [3, 1, 3, 3], ["groups": .int(3)]),
        ([1, 4, 11, 13], [4, 1, 5, 5], ["groups": .int(4), "padding": .ints([2]), "stride": .ints([2])]),
        ([1, 3, 34, 40], [3, 1, 3, 3], ["groups": .int(3), "padding": .ints([1])]),
        ([2, 3, 67, 66], [3, 1, 3, 3], ["groups": .int(3), "padding": .ints([1]), "stride": .ints([2])]),
        ([1, 2, 5, 37], [2, 1, 3, 3], ["groups": .int(2), "padding": .ints([1, 2, 1, 0]), "dilation": .ints([1, 2])]),
        ([2, 96, 17, 19], [64, 96, 1, 1], [:]),
    ]

    /// y = relu6(conv2d(x, w, b)) + r: the bias, ReLU6 and the residual add in one kernel.
    static func graph(_ index: Int) throws -> Graph {
        let (x, w, attributes) = cases[index]
        var builder = GraphBuilder(name: "depthwise_\(index)")
        let input = builder.leaf(Node.inputOp, type: TensorType(.float32, Shape(x)), name: "x")
        let weight = builder.leaf(Node.inputOp, type: TensorType(.float32, Shape(w)), name: "w")
        let bias = builder.leaf(Node.inputOp, type: .f32(w[0]), name: "b")
        let convolution = try builder.add("conv2d", [input, weight, bias], attributes: attributes, name: "conv")
        let residual = builder.leaf(Node.inputOp, type: builder.graph[convolution].type, name: "r")
        let clipped = try builder.add("relu6", [convolution], name: "clip")
        let y = try builder.add("add", [clipped, residual], name: "y")
        builder.graph.outputs = [GraphOutput(name: "y", node: y)]
        return builder.graph
    }

    /// The largest |computed − expected| / (1 + |expected|).
    static func worstError(_ computed: [Double], _ expected: [Double]) -> Double {
        precondition(computed.count == expected.count)
        return zip(computed, expected).map { abs($0 - $1) / (1 + abs($1)) }.max() ?? 0
    }

    /// The worst error of the optimized, fused program against the interpreter, and its C.
    static func run(_ graph: Graph, _ execution: ExecutionBackend) throws -> (error: Double, source: String) {
        var inputs: [String: TensorValue] = [:]
        for (index, node) in graph.nodes.filter({ $0.op == Node.inputOp }).enumerated() {
            inputs[node.name] = .random(node.type, seed: UInt64(index + 3), low: -1, high: 2)
        }
        let reference = try Interpreter.run(graph, inputs: inputs.mapValues(ReferenceTensor.init), parameters: [:])
        let optimized = try GraphOptimizer.optimize(graph)
        let program = try CodeGenerator.generate(optimized.graph, fusion: optimized.fusion, memory: optimized.memory)
        let executable = try Executable(graph: optimized.graph, parameters: [:], program: program, backend: execution)
        let computed = try #require(try executable.run(inputs)["y"]).doubles
        return (worstError(computed, try #require(reference["y"]).values), program.source)
    }

    @Test(arguments: cases.indices)
    func convolutionWithItsEpilogueMatchesTheInterpreter(_ index: Int) throws {
        let graph = try Self.graph(index)
        let (error, source) = try Self.run(graph, .tcc)
        #expect(error <= 1e-5, "tcc, case \(index)")
        // One kernel, whose epilogue runs on each block inside the convolution's loops.
        #expect(source.components(separatedBy: "static void k").count == 2, "case \(index): one kernel")
        #expect(source.contains("const long ob = "), "case \(index): the epilogue's loop per block")
        let convolution = try #require(graph.nodes.first { $0.op == "conv2d" })
        let depthwise = graph[convolution.inputs[1]].type.shape[1] == 1
        #expect(source.contains("phases") == (depthwise && convolution.type.shape[3] < 32), "case \(index): the flat loop")
        #expect(source.contains("block*160") == !depthwise, "case \(index): the column blocks")
        try #require(Self.native.compiler != nil, "no system C compiler")
        let native = try Self.run(graph, ExecutionBackend(.native, native: Self.native))
        #expect(native.error <= 1e-5, "native, case \(index)")
    }

    /// The convolution alone (no epilogue) writes its output once, through either loop.
    @Test func convolutionWithoutEpilogueMatchesTheInterpreter() throws {
        try #require(Self.native.compiler != nil, "no system C compiler")
        for (index, (x, w, attributes)) in Self.cases.enumerated() {
            var builder = GraphBuilder(name: "conv_\(index)")
            let input = builder.leaf(Node.inputOp, type: TensorType(.float32, Shape(x)), name: "x")
            let weight = builder.leaf(Node.inputOp, type: TensorType(.float32, Shape(w)), name: "w")
            let y = try builder.add("conv2d", [input, weight], attributes: attributes, name: "y")
            builder.graph.outputs = [GraphOutput(name: "y", node: y)]
            for execution in [ExecutionBackend.tcc, ExecutionBackend(.native, native: Self.native)] {
                #expect(try Self.run(builder.graph, execution).error <= 1e-5, "case \(index)")
            }
        }
    }

    /// One row times a matrix plus a bias (a classifier on one sample): the native compiler's
    /// loop (K = 4·3 + 3 rows of B, with and without transpose_a) and tcc's `cblas_sgemm`.
    @Test(arguments: [false, true])
    func oneRowTimesMatrixMatchesTheInterpreter(_ transposeA: Bool) throws {
        var builder = GraphBuilder(name: "row")
        let a = builder.leaf(Node.inputOp, type: transposeA ? .f32(15, 1) : .f32(1, 15), name: "a")
        let b = builder.leaf(Node.inputOp, type: .f32(15, 37), name: "b")
        let c = builder.leaf(Node.inputOp, type: .f32(37), name: "c")
        let product = try builder.add("matmul", [a, b], attributes: ["transpose_a": .bool(transposeA)], name: "ab")
        let y = try builder.add("add", [product, c], name: "y")
        builder.graph.outputs = [GraphOutput(name: "y", node: y)]
        let tcc = try Self.run(builder.graph, .tcc)
        #expect(tcc.error <= 1e-5)
        #expect(tcc.source.contains("#if defined(__TINYC__)"))
        try #require(Self.native.compiler != nil, "no system C compiler")
        #expect(try Self.run(builder.graph, ExecutionBackend(.native, native: Self.native)).error <= 1e-5)
    }
}
