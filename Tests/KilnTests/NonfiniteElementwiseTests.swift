import Foundation
import Kiln
import KilnIR
import Testing

/// Compiled clamps and extrema on infinities and NaN agree with the reference interpreter (found
/// by `make fuzz`, compile target: mask products turned inf times 0 into NaN, and `a > b ? a : b`
/// dropped a NaN the interpreter kept). The fuzz cases are kept in Fuzz/corpus/compile.
@Suite struct NonfiniteElementwiseTests {
    static let values: [Float] = [-.infinity, -7, -3, -0.0, 0, 2.5, 3, 6, 7, .infinity, .nan]

    /// The outputs of `kiln run` semantics: compiled (tcc) and interpreted, for a one-node graph.
    static func compiledAndInterpreted(_ node: String, inputs: Int) throws -> ([Double], [Double]) {
        let count = values.count
        var lines = (0..<inputs).map { "  %\($0) = input() : f32[\(count)] name=\"x\($0)\"" }
        lines.append("  %\(inputs) = \(node)(\((0..<inputs).map { "%\($0)" }.joined(separator: ", "))) : f32[\(count)] name=\"y\"")
        lines.append("  output \"y\" = %\(inputs)")
        let graph = try GraphParser.parseFile("graph g {\n" + lines.joined(separator: "\n") + "\n}\n").inference
        let model = Model(graph: graph)
        var feeds: [String: TensorValue] = ["x0": TensorValue(shape: [count], floats: values)]
        if inputs == 2 { feeds["x1"] = TensorValue(shape: [count], floats: values.reversed()) }
        let compiled = try model.compile(backend: .tcc).run(feeds)["y"]!.doubles
        return (compiled, try model.interpret(feeds)["y"]!.doubles)
    }

    static func same(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || $0.isNaN && $1.isNaN || abs($0 - $1) <= 1e-6 }
    }

    @Test(arguments: ["relu", "relu6", "hard_sigmoid", "hard_swish"])
    func clampsKeepInfinitiesFinite(op: String) throws {
        let (compiled, interpreted) = try Self.compiledAndInterpreted(op, inputs: 1)
        #expect(Self.same(compiled, interpreted), "\(op): compiled \(compiled), interpreted \(interpreted)")
        #expect(compiled.last!.isNaN)
        #expect(!compiled.first!.isNaN || op == "hard_swish")  // hard_swish(-inf) = -inf * 0
    }

    @Test(arguments: ["maximum", "minimum"])
    func extremaPropagateNaN(op: String) throws {
        let (compiled, interpreted) = try Self.compiledAndInterpreted(op, inputs: 2)
        #expect(Self.same(compiled, interpreted), "\(op): compiled \(compiled), interpreted \(interpreted)")
        #expect(compiled.first!.isNaN && compiled.last!.isNaN)
    }
}
