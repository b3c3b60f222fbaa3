import KilnIR
import KilnInterpreter
import KilnOps
import KilnRuntime
import Testing

/// The operators data-parallel training adds or extends, in one process.
@Suite struct DataParallelOperatorTests {
    static func seed(_ value: Int64) -> TensorValue { TensorValue(dtype: .int64, shape: [], integers: [value]) }

    /// Rows 2 to 4 of a [5, 4] draw are what a [3, 4] draw at example offset 2 gives, in C and in
    /// the interpreter: a rank's masks are its rows' share of the single-process masks.
    @Test func exampleOffsetDrawsTheGlobalBatchRows() throws {
        let whole = try OneNodeRun("random_uniform", [Self.seed(99)], ["shape": .ints([5, 4]), "stream": .int(3)])
        let share = try OneNodeRun("random_uniform", [Self.seed(99), Self.seed(2)], ["shape": .ints([3, 4]), "stream": .int(3)])
        #expect(share.compiled == Array(whole.compiled[8...]))
        #expect(share.reference == Array(whole.reference[8...]))
        let unshifted = try OneNodeRun("random_uniform", [Self.seed(99), Self.seed(0)], ["shape": .ints([3, 4]), "stream": .int(3)])
        #expect(unshifted.compiled == Array(whole.compiled[..<12]))
    }

    @Test func exampleOffsetMustBeAnI64Scalar() {
        #expect(shapeError("random_uniform", [TensorType(.int64, []), TensorType(.float32, [])], ["shape": .ints([2])])
            == "input 1 (the example offset) is f32[]; expected an i64 scalar")
    }

    /// In one process, `allreduce_mean` is the identity (the hook is unbound) and so is its gradient.
    @Test func allReduceMeanIsTheIdentityInOneProcess() throws {
        let x = TensorValue.random(TensorType(.float32, [3, 5]), seed: 4)
        let run = try OneNodeRun("allreduce_mean", [x])
        #expect(run.compiled == x.doubles)
        #expect(run.reference == x.doubles)
        #expect(shapeError("allreduce_mean", [TensorType(.int64, [2])]) == "input 0 is i64[2]; expected float32")
    }

    /// The synchronized batch norm of a distributed step computes `batch_norm_train` in one process.
    @Test func synchronizedBatchNormMatchesBatchNormTrainInOneProcess() throws {
        var builder = GraphBuilder(name: "bn")
        let x = builder.leaf(Node.inputOp, type: TensorType(.float32, [4, 3, 2, 2]), name: "x")
        let gamma = builder.leaf(Node.inputOp, type: TensorType(.float32, [3]), name: "gamma")
        let beta = builder.leaf(Node.inputOp, type: TensorType(.float32, [3]), name: "beta")
        let y = try builder.add("batch_norm_train", [x, gamma, beta], attributes: ["eps": .float(1e-3)], name: "y")
        builder.graph.outputs = [GraphOutput(name: "y", node: y)]
        let synchronized = try builder.graph.synchronizingBatchNorm()
        #expect(!synchronized.nodes.contains { $0.op == "batch_norm_train" })
        #expect(synchronized.nodes.filter { $0.op == "allreduce_mean" }.count == 2)
        let inputs = [
            "x": ReferenceTensor(TensorValue.random(TensorType(.float32, [4, 3, 2, 2]), seed: 1)),
            "gamma": ReferenceTensor(TensorValue.random(TensorType(.float32, [3]), seed: 2)),
            "beta": ReferenceTensor(TensorValue.random(TensorType(.float32, [3]), seed: 3)),
        ]
        let expected = try GraphRunner.run(builder.graph, inputs: inputs)
        let actual = try GraphRunner.run(synchronized, inputs: inputs)
        #expect(GraphRunner.close(actual.interpreted["y"]!, expected.interpreted["y"]!, relative: 1e-9, absolute: 1e-12))
        #expect(GraphRunner.close(actual.compiled["y"]!, expected.compiled["y"]!, relative: 1e-5, absolute: 1e-6))
    }
}
