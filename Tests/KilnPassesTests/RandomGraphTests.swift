import KilnIR
import KilnOps
import KilnPasses
import KilnTestSupport
import Testing

/// Seeded random graphs give the same outputs (and the same state after updates) compiled with
/// the whole optimizer as compiled as written, and their memory plans pass the checker.
@Suite struct RandomGraphTests {
    @Test(arguments: 0..<120)
    func optimizedMatchesUnoptimized(seed: UInt64) throws {
        let (graph, parameters) = try RandomGraph.make(seed: seed)
        let feeds = (0..<3).map { run in
            Dictionary(uniqueKeysWithValues: graph.inputs.map { node in
                (node.name, TensorValue.random(node.type, seed: seed &* 31 &+ UInt64(run * 7 + node.id.index)))
            })
        }
        let error = try OptimizationHarness.worstError(graph, parameters: parameters, feeds: feeds)
        #expect(error <= 1e-5, "seed \(seed): worst relative error \(error)\n\(GraphText.print(graph))")
    }

    @Test func randomGraphsExerciseEveryOptimization() throws {
        var kernels = 0, nodes = 0, inPlace = 0, recomputed = 0, views = 0, folded = 0, prologues = 0, assembled = 0
        for seed in UInt64(0)..<40 {
            let (graph, _) = try RandomGraph.make(seed: seed)
            let optimized = try GraphOptimizer.optimize(graph)
            nodes += graph.nodes.filter { !$0.isLeaf }.count
            kernels += optimized.fusion.kernels.count
            inPlace += optimized.memory.buffers.filter { $0.nodes.count > 1 }.count
            recomputed += optimized.fusion.kernels.reduce(0) { $0 + $1.recomputed.count }
            views += optimized.fusion.views.count
            assembled += optimized.fusion.slices.count
            prologues += optimized.fusion.kernels.filter { !$0.prologue.isEmpty }.count
            folded += optimized.passes.reduce(0) { $0 + max(0, $1.nodesBefore - $1.nodesAfter) }
        }
        #expect(kernels < nodes / 2)
        #expect(inPlace > 0)
        #expect(recomputed > 0)
        #expect(views > 0)
        #expect(folded > 0)
        #expect(prologues > 0)
        #expect(assembled > 0)
    }
}

/// Seeded random graphs over a few shapes that broadcast together: elementwise chains, broadcasts,
/// matrix products, reductions, reshapes, concatenations, constant subexpressions, neutral constants, duplicated
/// subexpressions, dead branches, several outputs and state updates.
enum RandomGraph {
    static let shapes: [Shape] = [[4, 6], [6], [1, 6], [4, 1], [], [6, 6]]
    static let unary = ["neg", "abs", "sin", "cos", "tanh", "sigmoid", "relu", "square"]
    static let binary = ["add", "sub", "mul", "maximum", "minimum"]

    static func make(seed: UInt64) throws -> (Graph, [String: TensorValue]) {
        var random = SeededGenerator(seed: seed, stream: "random-graph")
        func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }
        var builder = GraphBuilder(name: "random\(seed)")
        var parameters: [String: TensorValue] = [:]
        var pool: [NodeID] = []
        for (index, shape) in shapes.enumerated() where index < 4 || chance(50) {
            pool.append(builder.leaf(Node.inputOp, type: TensorType(.float32, shape), name: "x\(index)"))
        }
        var state: [NodeID] = []
        for index in 0..<Int(random.next() % 3) {
            let type = TensorType(.float32, pick([[4, 6], [6]] as [Shape]))
            let id = builder.leaf(Node.parameterOp, type: type, name: "p\(index)")
            parameters["p\(index)"] = TensorValue.random(type, seed: seed &+ UInt64(index) &+ 100)
            pool.append(id)
            state.append(id)
        }
        let one = builder.leaf(Node.constantOp, type: TensorType(.float32, []), name: "one", attributes: ["value": .floats([1])])
        let zeros = builder.leaf(Node.constantOp, type: TensorType(.float32, [6]), name: "zeros", attributes: ["value": .floats([0])])
        let ramp = builder.leaf(
            Node.constantOp, type: TensorType(.float32, [6]), name: "ramp", attributes: ["value": .floats([0.5, -1, 2, 0.25, -0.75, 1.5])])
        pool.append(try builder.add("tanh", [try builder.add("mul", [ramp, ramp])]))  // foldable
        let steps = 12 + Int(random.next() % 14)
        for _ in 0..<steps {
            let recent = Array(pool.suffix(6))
            let a = chance(70) ? pick(recent) : pick(pool)
            var made: NodeID?
            switch random.next() % 10 {
            case 0, 1, 2:
                made = try builder.add(pick(unary), [a])
            case 3, 4, 5:
                let b = pick(pool)
                if Shape.broadcast(builder.type(of: a).shape, builder.type(of: b).shape).map({ shapes.contains($0) }) == true {
                    made = try builder.add(pick(binary), [a, b])
                }
            case 6:
                made = try builder.add(chance(50) ? "mul" : "div", [a, one])
                if chance(50) { made = try builder.add("add", [made!, builder.type(of: a).shape.rank <= 1 ? zeros : one]) }
                if builder.type(of: made!).shape != builder.type(of: a).shape { made = nil }
            case 7:
                if builder.type(of: a).shape == [4, 6] {
                    let weight = pool.first { builder.type(of: $0).shape == [6, 6] } ?? a
                    if builder.type(of: weight).shape == [6, 6] { made = try builder.add("matmul", [a, weight]) }
                }
            case 8 where chance(30):
                if builder.type(of: a).shape == [4, 6] && !builder.graph[a].isLeaf {
                    let joined = try builder.add("concat", [a, try builder.add("sin", [a])], attributes: ["axis": .int(0)])
                    let flat = try builder.add("reshape", [joined], attributes: ["shape": .ints([6, 8])])
                    made = try builder.add("sum", [flat], attributes: ["axes": .ints([1]), "keepdims": .bool(false)])
                }
            case 8 where chance(50):
                if builder.type(of: a).shape == [4, 6] {
                    let (axes, keep) = pick([([0], false), ([1], true), ([0, 1], false)] as [([Int], Bool)])
                    made = try builder.add(
                        pick(["sum", "mean", "max", "min"]), [a], attributes: ["axes": .ints(axes), "keepdims": .bool(keep)])
                }
            case 8:
                if builder.type(of: a).shape == [4, 6] {
                    let flat = try builder.add("reshape", [a], attributes: ["shape": .ints([24])])
                    made = try builder.add("reshape", [try builder.add("sin", [flat])], attributes: ["shape": .ints([4, 6])])
                }
            default:
                // A duplicate of an existing computation, for CSE.
                if let earlier = pool.last(where: { !builder.graph[$0].isLeaf }) {
                    let node = builder.graph[earlier]
                    made = try builder.add(node.op, node.inputs, attributes: node.attributes)
                }
            }
            if let made {
                pool.append(chance(30) ? try builder.add("tanh", [made]) : made)
            }
        }
        _ = try builder.add("exp", [pool[pool.count / 2]])  // dead
        let computed = pool.filter { !builder.graph[$0].isLeaf }
        var outputs = [computed.last ?? pool[0]]
        if chance(60), let extra = computed.dropLast().last { outputs.append(extra) }
        if chance(40) { outputs.append(pick(pool)) }
        builder.graph.outputs = outputs.enumerated().map { GraphOutput(name: "y\($0.offset)", node: $0.element) }
        for target in state {
            let type = builder.type(of: target)
            guard let source = pool.reversed().first(where: {
                Shape.broadcast(builder.type(of: $0).shape, type.shape) == type.shape && $0 != target
            }) else { continue }
            let blended = try builder.add("add", [target, try builder.add("tanh", [source])])
            builder.graph.updates.append(GraphUpdate(target: target, value: try builder.add("sin", [blended])))
        }
        try OperatorRegistry.verify(builder.graph)
        return (builder.graph, parameters)
    }
}
