import Kiln
import KilnIR
import Testing

/// Parameter names follow the layer tree as PyTorch's do, layers in a `Sequential` carry the line
/// they are written on, and the model prints its hierarchy.
@Suite struct LayerNamingTests {
    final class Block: Layer {
        let fc = Linear(4, 4)
        let heads = [Linear(4, 4), Linear(4, 4)]
        let projection = Linear(4, 4, name: "projection")

        func forward(_ x: Tensor) -> Tensor {
            projection(heads[1](heads[0](fc(x).relu())))
        }
    }

    static let model = Model("nested") { g in
        let x = g.input("x", [2, 4])
        let net = Sequential { Block(); ReLU(); Linear(4, 3) }
        g.output("y", net(x))
    }

    @Test func parametersAreNamedByTheirPathInTheLayerTree() {
        let names = Set(Self.model.graph.parameters.map(\.name))
        #expect(names == [
            "sequential.0.fc.weight", "sequential.0.fc.bias",
            "sequential.0.heads.0.weight", "sequential.0.heads.0.bias",
            "sequential.0.heads.1.weight", "sequential.0.heads.1.bias",
            "projection.weight", "projection.bias",
            "sequential.2.weight", "sequential.2.bias",
        ])
    }

    @Test func namesAreTheSameEveryTimeTheModelIsBuilt() {
        let again = Model("nested") { g in
            let x = g.input("x", [2, 4])
            let net = Sequential { Block(); ReLU(); Linear(4, 3) }
            g.output("y", net(x))
        }
        #expect(again.graph.parameters.map(\.name) == Self.model.graph.parameters.map(\.name))
    }

    @Test func aLayerInASequentialCarriesTheLineItIsWrittenOn() throws {
        let secondLayerLine = #line + 5
        let model = Model("mismatch") { g in
            let x = g.input("x", [2, 4])
            let net = Sequential {
                Linear(4, 3)
                Linear(5, 2)
            }
            g.output("y", net(x))
        }
        let error = try #require(model.buildError)
        #expect(error.description.contains("KilnTests/LayerNamingTests.swift:\(secondLayerLine)"), "\(error)")
        #expect(error.description.contains("sequential.1"), "\(error)")
    }

    @Test func layersPassedAsAnArrayCarryTheLineOfTheCall() throws {
        let callLine = #line + 4
        let model = Model("mismatch") { g in
            let x = g.input("x", [2, 4])
            let net = Sequential(layers: [Linear(4, 3), Linear(5, 2)])
            g.output("y", net(x))
        }
        let error = try #require(model.buildError)
        #expect(error.description.contains("KilnTests/LayerNamingTests.swift:\(callLine)"), "\(error)")
    }

    @Test func theSummaryShowsTheHierarchyWithShapesAndParameterCounts() {
        let summary = Self.model.summary()
        let rows = summary.rows.map { "\($0.name) \($0.type) \($0.depth) \($0.output?.description ?? "-") \($0.parameterCount)" }
        #expect(rows == [
            "sequential Sequential 0 f32[2,3] 95",
            "sequential.0 Block 1 f32[2,4] 80",
            "sequential.0.fc Linear 2 f32[2,4] 20",
            "sequential.0.heads.0 Linear 2 f32[2,4] 20",
            "sequential.0.heads.1 Linear 2 f32[2,4] 20",
            "projection Linear 2 f32[2,4] 20",
            "sequential.1 ReLU 1 f32[2,4] 0",
            "sequential.2 Linear 1 f32[2,3] 15",
        ])
        #expect(summary.parameterCount == 95)
        let printed = Self.model.description
        #expect(printed.contains("    fc "))
        #expect(printed.contains("  0 "))
        #expect(printed.hasSuffix("95 trainable parameters in 8 layers"))
    }
}
