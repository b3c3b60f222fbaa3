import Foundation
import Kiln
import KilnModels
@testable import KilnONNX
import Testing

/// Every zoo model exports to ONNX and imports back with the same outputs. (onnx's own checker and
/// ONNX Runtime accept the exports too; that check needs Python and is not part of the suite.)
@Suite struct ONNXExportTests {
    /// The structural checks of an exported model: opset 17, every node input produced before it
    /// (by a graph input, an initializer or an earlier node), every value produced once, every
    /// operator one Kiln imports, and every graph output produced.
    static func checkStructure(_ model: Onnx_ModelProto) -> [String] {
        var problems: [String] = []
        if model.opsetImport.map(\.version) != [Int64(ONNXExporter.opset)] { problems.append("opset \(model.opsetImport.map(\.version))") }
        var defined = Set(model.graph.input.map(\.name)).union(model.graph.initializer.map(\.name))
        for node in model.graph.node {
            for input in node.input where !input.isEmpty && !defined.contains(input) {
                problems.append("node '\(node.name)' (\(node.opType)) reads '\(input)' before it is produced")
            }
            for output in node.output where !defined.insert(output).inserted {
                problems.append("value '\(output)' is produced twice")
            }
            if ONNXConverters.table[node.opType] == nil && ConstantEvaluators.table[node.opType] == nil {
                problems.append("operator \(node.opType) is not importable")
            }
        }
        for output in model.graph.output where !defined.contains(output.name) { problems.append("output '\(output.name)' is not produced") }
        return problems
    }

    @Test(arguments: Zoo.entries.map(\.name))
    func zooModelRoundTrips(_ name: String) throws {
        let model = try #require(Zoo.entry(name)).build(seed: 3)
        let data = try model.exportONNX()
        #expect(Self.checkStructure(try Onnx_ModelProto(serializedBytes: data)) == [], "\(name)")
        let imported = try ONNXImporter.decode(data)
        #expect(imported.graph.inputs.map(\.type) == model.graph.inputs.map(\.type))
        #expect(Set(imported.graph.parameters.map(\.name)) == Set(model.graph.parameters.map(\.name)))
        let inputs = Dictionary(uniqueKeysWithValues: model.graph.inputs.enumerated().map { index, node in
            (node.name, TensorValue.random(node.type, seed: UInt64(index) + 1, low: node.type.dtype.isInteger ? 0 : -1, high: node.type.dtype.isInteger ? 8 : 1))
        })
        let expected = try model.compile().run(inputs)
        let actual = try Model(graph: imported.graph, parameters: imported.parameters).compile().run(inputs)
        for output in model.graph.outputs {
            let a = try #require(actual[output.name]), e = try #require(expected[output.name])
            #expect(a.type == e.type)
            #expect(Approximate.normwiseRelativeError(a.doubles, e.doubles) <= 1e-6, "\(name): \(output.name)")
        }
    }

    @Test func namesAndLayersAreKept() throws {
        let model = try #require(Zoo.entry("lenet5")).build(seed: 0)
        let proto = try Onnx_ModelProto(serializedBytes: try model.exportONNX())
        let kilnNames = Set(model.graph.nodes.filter { !$0.isLeaf }.map(\.name))
        #expect(kilnNames.isSubset(of: Set(proto.graph.node.map(\.name))))
        #expect(proto.graph.node.contains { $0.opType == "Conv" && $0.docString.hasPrefix("layer ") })
        #expect(Set(proto.graph.initializer.map(\.name)) == Set(model.graph.parameters.map(\.name)))
    }

    @Test func operatorsWithoutAnONNXEquivalentAreNamed() throws {
        let model = Model("deformable") { g in
            let x = g.input("x", [1, 1, 4, 4])
            g.output("y", deformConv2d(x, offset: g.input("o", [1, 18, 4, 4]), weight: g.input("w", [1, 1, 3, 3]), padding: 1))
        }
        #expect(throws: KilnError.invalidArgument("cannot export to ONNX: operators without an ONNX equivalent: deform_conv2d ('deform_conv2d')")) {
            try model.exportONNX()
        }
    }
}
