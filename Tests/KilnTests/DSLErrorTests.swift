import Kiln
import KilnIR
import Testing

/// The exact messages of DSL shape errors: each names the operator, the node, the user's line
/// and the shapes.
@Suite struct DSLErrorTests {
    @Test func matmulInnerDimensionMismatch() {
        let model = Model("bad") { g in
            let a = g.input("a", [2, 3])
            let b = g.input("b", [4, 5])
            g.output("y", matmul(a, b, line: 7))
        }
        #expect(throws: KilnError.self) { try model.compile() }
        #expect(model.buildError?.description
            == "matmul 'matmul' at KilnTests/DSLErrorTests.swift:7: inner dimensions differ: input 0 has shape [2,3] (K = 3), input 1 has shape [4,5] (K = 4)")
    }

    @Test func nonBroadcastableAdd() {
        let model = Model("bad") { g in
            let a = g.input("a", [2, 3])
            let b = g.input("b", [4])
            g.output("y", a.adding(b, line: 11))
        }
        #expect(model.buildError?.description
            == "add 'add' at KilnTests/DSLErrorTests.swift:11: cannot broadcast input 1 of shape [4] with f32[2,3]")
    }

    @Test func reshapeWithWrongElementCount() {
        let model = Model("bad") { g in
            let a = g.input("a", [2, 3])
            g.output("y", a.reshaped([4, 2], line: 19))
        }
        #expect(model.buildError?.description
            == "reshape 'reshape' at KilnTests/DSLErrorTests.swift:19: cannot reshape input 0 of shape [2,3] (6 elements) to [4,2] (8 elements)")
    }

    @Test func errorInsideALayerNamesTheLayer() {
        let model = Model("bad") { g in
            let x = g.input("x", [8, 5])
            let layer = Linear(4, 3, name: "fc")
            g.output("y", layer(x, line: 42))
        }
        #expect(model.buildError?.description
            == "matmul 'fc.matmul' at KilnTests/DSLErrorTests.swift:42: inner dimensions differ: input 0 has shape [8,5] (K = 5), input 1 has shape [4,3] (K = 4)")
    }

    @Test func firstErrorWinsAndBuildingGoesOn() {
        let model = Model("bad") { g in
            let a = g.input("a", [2, 3])
            let broken = a.reshaped([7], line: 1)
            g.output("y", broken.reshaped([5], line: 2))
        }
        #expect(model.buildError?.description.contains("DSLErrorTests.swift:1:") == true)
    }

    @Test func modelWithoutOutputs() {
        let model = Model("empty") { g in _ = g.input("x", [1]) }
        #expect(model.buildError == .invalidGraph("model 'empty' declares no outputs (call output(_:_:) in its body)"))
    }

    @Test func runWithMissingOrMisshapenInput() throws {
        let model = Model("id") { g in g.output("y", relu(g.input("x", [2]))) }
        let executable = try model.compile()
        #expect(throws: KilnError.invalidArgument("missing input 'x' of type f32[2]")) { try executable.run([:]) }
        #expect(throws: KilnError.invalidArgument("input 'x' expects f32[2], got f32[3]")) {
            try executable.run(["x": TensorValue(shape: [3], floats: [1, 2, 3])])
        }
        #expect(throws: KilnError.invalidArgument("the graph has no input named 'z' (its inputs: 'x')")) {
            try executable.run(["x": TensorValue(shape: [2], floats: [1, 2]), "z": TensorValue(shape: [1], floats: [0])])
        }
    }
}
