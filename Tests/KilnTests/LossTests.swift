import Foundation
import Kiln
import KilnIR
import KilnInterpreter
import KilnOps
import KilnTestSupport
import Testing

/// Every loss: its value against the formula evaluated here in float64, its gradient against
/// finite differences, and the compiled float32 backward against the interpreter.
@Suite struct LossTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        /// Input name, shape, value domain (integer-valued when `integral`).
        var inputs: [(name: String, shape: Shape, domain: ClosedRange<Double>, integral: Bool)]
        /// Inputs the gradient is checked for.
        var targets: [String]
        var build: @Sendable (GraphContext, [String: Tensor]) -> Tensor
        /// The mean-reduced value from the formula.
        var formula: @Sendable ([String: [Double]]) -> Double
        var description: String { name }
    }

    static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
    static func softplus(_ x: Double) -> Double { max(x, 0) + Foundation.log(1 + Foundation.exp(-abs(x))) }
    static func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
    static func softmaxRow(_ row: [Double]) -> [Double] {
        let exponentials = row.map(Foundation.exp)
        let total = exponentials.reduce(0, +)
        return exponentials.map { $0 / total }
    }
    static func rows(_ values: [Double], _ width: Int) -> [[Double]] {
        stride(from: 0, to: values.count, by: width).map { Array(values[$0..<$0 + width]) }
    }

    static let pair: [(name: String, shape: Shape, domain: ClosedRange<Double>, integral: Bool)] = [
        ("p", [3, 4], -2...2, false), ("t", [3, 4], -2...2, false),
    ]
    static let signed: [(name: String, shape: Shape, domain: ClosedRange<Double>, integral: Bool)] = [
        ("f", [8], -2...2, false), ("y", [8], 0...1.999, true),
    ]
    /// Labels y ∈ {−1, +1} from integral 0/1 draws.
    static func plusMinus(_ y: [Double]) -> [Double] { y.map { $0 * 2 - 1 } }

    static let cases: [Case] = [
        Case(name: "mse", inputs: pair, targets: ["p", "t"], build: { _, x in meanSquaredError(x["p"]!, x["t"]!) },
             formula: { v in mean(zip(v["p"]!, v["t"]!).map { ($0 - $1) * ($0 - $1) }) }),
        Case(name: "l1", inputs: pair, targets: ["p"], build: { _, x in l1Loss(x["p"]!, x["t"]!) },
             formula: { v in mean(zip(v["p"]!, v["t"]!).map { abs($0 - $1) }) }),
        Case(name: "smooth-l1", inputs: pair, targets: ["p"], build: { _, x in smoothL1Loss(x["p"]!, x["t"]!, beta: 0.7) },
             formula: { v in mean(zip(v["p"]!, v["t"]!).map { let d = abs($0 - $1); return d < 0.7 ? 0.5 * d * d / 0.7 : d - 0.35 }) }),
        Case(name: "huber", inputs: pair, targets: ["p"], build: { _, x in huberLoss(x["p"]!, x["t"]!, delta: 1.5) },
             formula: { v in mean(zip(v["p"]!, v["t"]!).map { let d = abs($0 - $1); return d <= 1.5 ? 0.5 * d * d : 1.5 * (d - 0.75) }) }),
        Case(name: "cross-entropy", inputs: [("z", [4, 5], -3...3, false), ("labels", [4], 0...4.999, true)], targets: ["z"],
             build: { _, x in crossEntropy(x["z"]!, labels: x["labels"]!) },
             formula: { v in
                 mean(zip(rows(v["z"]!, 5), v["labels"]!).map { row, label in
                     let top = row.max()!
                     return Foundation.log(row.map { Foundation.exp($0 - top) }.reduce(0, +)) + top - row[Int(label)]
                 })
             }),
        Case(name: "nll", inputs: [("z", [4, 5], -3...3, false), ("labels", [4], 0...4.999, true)], targets: ["z"],
             build: { _, x in nllLoss(x["z"]!.logSoftmax(), labels: x["labels"]!) },
             formula: { v in
                 mean(zip(rows(v["z"]!, 5), v["labels"]!).map { row, label in
                     Foundation.log(row.map(Foundation.exp).reduce(0, +)) - row[Int(label)]
                 })
             }),
        Case(name: "bce-logits", inputs: [("x", [6], -3...3, false), ("y", [6], 0...1, false)], targets: ["x", "y"],
             build: { _, x in binaryCrossEntropyWithLogits(x["x"]!, x["y"]!) },
             formula: { v in mean(zip(v["x"]!, v["y"]!).map { x, y in -(y * Foundation.log(sigmoid(x)) + (1 - y) * Foundation.log(1 - sigmoid(x))) }) }),
        Case(name: "hinge", inputs: signed, targets: ["f"], build: { _, x in hingeLoss(x["f"]!, x["y"]! * 2 - 1) },
             formula: { v in mean(zip(v["f"]!, plusMinus(v["y"]!)).map { max(0, 1 - $1 * $0) }) }),
        Case(name: "squared-hinge", inputs: signed, targets: ["f"], build: { _, x in squaredHingeLoss(x["f"]!, x["y"]! * 2 - 1) },
             formula: { v in mean(zip(v["f"]!, plusMinus(v["y"]!)).map { pow(max(0, 1 - $1 * $0), 2) }) }),
        Case(name: "logistic", inputs: signed, targets: ["f"], build: { _, x in logisticLoss(x["f"]!, x["y"]! * 2 - 1) },
             formula: { v in mean(zip(v["f"]!, plusMinus(v["y"]!)).map { Foundation.log(1 + Foundation.exp(-$1 * $0)) }) }),
        Case(name: "exponential", inputs: signed, targets: ["f"], build: { _, x in exponentialLoss(x["f"]!, x["y"]! * 2 - 1) },
             formula: { v in mean(zip(v["f"]!, plusMinus(v["y"]!)).map { Foundation.exp(-$1 * $0) }) }),
        Case(name: "modified-huber", inputs: [("f", [8], -3...3, false), ("y", [8], 0...1.999, true)], targets: ["f"],
             build: { _, x in modifiedHuberLoss(x["f"]!, x["y"]! * 2 - 1) },
             formula: { v in mean(zip(v["f"]!, plusMinus(v["y"]!)).map { f, y in y * f >= -1 ? pow(max(0, 1 - y * f), 2) : -4 * y * f }) }),
        Case(name: "focal", inputs: [("x", [8], -3...3, false), ("y", [8], 0...1.999, true)], targets: ["x"],
             build: { _, x in focalLoss(x["x"]!, x["y"]!, gamma: 2, alpha: 0.25) },
             formula: { v in
                 mean(zip(v["x"]!, v["y"]!).map { x, y in
                     let p = sigmoid(x), pt = y == 1 ? p : 1 - p, alpha = y == 1 ? 0.25 : 0.75
                     return -alpha * pow(1 - pt, 2) * Foundation.log(pt)
                 })
             }),
        Case(name: "kl", inputs: [("z", [3, 4], -2...2, false), ("w", [3, 4], 0.1...2, false)], targets: ["z"],
             build: { _, x in klDivergence(logQ: x["z"]!.logSoftmax(), p: x["w"]!.softmax()) },
             formula: { v in
                 let q = rows(v["z"]!, 4).map(softmaxRow), p = rows(v["w"]!, 4).map(softmaxRow)
                 var total = 0.0
                 for (pRow, qRow) in zip(p, q) {
                     for (pi, qi) in zip(pRow, qRow) { total += pi * Foundation.log(pi / qi) }
                 }
                 return total / 3
             }),
        Case(name: "contrastive", inputs: [("a", [4, 3], -1...1, false), ("b", [4, 3], -1...1, false), ("s", [4], 0...1.999, true)],
             targets: ["a", "b"], build: { _, x in contrastiveLoss(x["a"]!, x["b"]!, similar: x["s"]!, margin: 1.5) },
             formula: { v in
                 mean(zip(zip(rows(v["a"]!, 3), rows(v["b"]!, 3)), v["s"]!).map { pair, s in
                     let d = (zip(pair.0, pair.1).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) + 1e-12).squareRoot()
                     return s * d + (1 - s) * max(0, 1.5 - d)
                 })
             }),
        Case(name: "triplet", inputs: [("a", [4, 3], -1...1, false), ("p", [4, 3], -1...1, false), ("n", [4, 3], -1...1, false)],
             targets: ["a", "p", "n"], build: { _, x in tripletLoss(anchor: x["a"]!, positive: x["p"]!, negative: x["n"]!, margin: 2) },
             formula: { v in
                 mean((0..<4).map { row in
                     let a = rows(v["a"]!, 3)[row], p = rows(v["p"]!, 3)[row], n = rows(v["n"]!, 3)[row]
                     let dp = zip(a, p).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
                     let dn = zip(a, n).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
                     return max(0, 2 + dp - dn)
                 })
             }),
        Case(name: "emd", inputs: [("e", [2, 5], -1...1, false), ("t", [2, 5], -1...1, false)], targets: ["e"],
             build: { _, x in earthMoversDistanceLoss(x["e"]!.softmax(), x["t"]!.softmax()) },
             formula: { v in
                 func cdf(_ r: [Double]) -> [Double] {
                     var running = 0.0
                     return softmaxRow(r).map { running += $0; return running }
                 }
                 return mean(zip(rows(v["e"]!, 5), rows(v["t"]!, 5)).map { e, t in
                     (mean(zip(cdf(e), cdf(t)).map { ($0 - $1) * ($0 - $1) }) + 1e-12).squareRoot()
                 })
             }),
        Case(name: "l1-l2-regularization", inputs: [("w", [3, 2], -1...1, false), ("u", [4], -1...1, false)], targets: ["w", "u"],
             build: { _, x in l1Regularization([x["w"]!, x["u"]!], lambda: 0.3) + l2Regularization([x["w"]!], lambda: 0.2) },
             formula: { v in 0.3 * (v["w"]! + v["u"]!).map(abs).reduce(0, +) + 0.1 * v["w"]!.map { $0 * $0 }.reduce(0, +) }),
    ]

    func model(_ testCase: Case) -> (Model, [String: TensorValue]) {
        let model = Model(testCase.name) { g in
            var tensors: [String: Tensor] = [:]
            for input in testCase.inputs { tensors[input.name] = g.input(input.name, input.shape) }
            g.output("loss", testCase.build(g, tensors))
        }
        var values: [String: TensorValue] = [:]
        for (index, input) in testCase.inputs.enumerated() {
            var generator = SeededGenerator(seed: 77 &+ UInt64(index))
            let doubles = (0..<input.shape.elementCount).map { _ -> Double in
                let value = generator.uniform(input.domain.lowerBound, input.domain.upperBound)
                return input.integral ? value.rounded(.down) : Double(Float(value))
            }
            values[input.name] = TensorValue(type: TensorType(.float32, input.shape), doubles: doubles)
        }
        return (model, values)
    }

    @Test(arguments: cases)
    func valueMatchesTheFormula(_ testCase: Case) throws {
        let (model, values) = model(testCase)
        try model.validate()
        let reference = try Interpreter.run(
            model.graph, inputs: values.mapValues(ReferenceTensor.init), parameters: [:])
        let value = try #require(reference["loss"]?.values.first)
        let expected = testCase.formula(values.mapValues(\.doubles))
        #expect(abs(value - expected) <= 1e-9 * max(1, abs(expected)), "\(testCase.name): \(value) vs \(expected)")
    }

    @Test(arguments: cases)
    func gradientMatchesFiniteDifferencesAndCompiledCode(_ testCase: Case) throws {
        let (model, values) = model(testCase)
        let backward = try GradientChecker.backwardGraph(model.graph, output: model.graph.outputs[0].node, wrt: testCase.targets)
        let references = values.mapValues(ReferenceTensor.init)
        let finite = try GradientChecker.checkFiniteDifferences(backward, values: references)
        #expect(finite == nil, "\(testCase.name): \(finite ?? "")")
        let compiled = try GradientChecker.checkCompiled(backward, values: references)
        #expect(compiled == nil, "\(testCase.name): \(compiled ?? "")")
    }

    @Test func reductionsSumAndNone() throws {
        let model = Model("reductions") { g in
            let p = g.input("p", [2, 3]), t = g.input("t", [2, 3])
            g.output("mean", meanSquaredError(p, t))
            g.output("sum", meanSquaredError(p, t, reduction: .sum))
            g.output("none", meanSquaredError(p, t, reduction: .none))
        }
        let p = TensorValue(shape: [2, 3], floats: [1, 2, 3, 4, 5, 6]), t = TensorValue(shape: [2, 3], floats: [0, 0, 0, 0, 0, 1])
        let outputs = try model.compile().run(["p": p, "t": t])
        #expect(outputs["sum"]?.floats == [80])
        #expect(outputs["mean"]?.floats == [Float(80.0 / 6)])
        #expect(outputs["none"]?.floats == [1, 4, 9, 16, 25, 25])
    }

    @Test func softmaxCrossEntropyGradientIsSoftmaxMinusOneHot() throws {
        var graph = Model("ce") { g in
            g.output("loss", crossEntropy(g.input("z", [1, 3]), labels: g.input("labels", [1]), reduction: .sum))
        }.graph
        let z = try #require(graph.node(named: "z")).id
        let loss = graph.outputs[0].node
        let gradient = try KilnPasses.gradients(of: loss, wrt: [z], in: &graph)[0]
        graph.outputs = [GraphOutput(name: "dz", node: gradient)]
        let logits = [1.0, 2.0, 0.5]
        let result = try Interpreter.run(
            graph, inputs: ["z": ReferenceTensor(shape: [1, 3], logits), "labels": ReferenceTensor(shape: [1], [1])], parameters: [:])
        let total = logits.map(Foundation.exp).reduce(0, +)
        let expected = logits.enumerated().map { Foundation.exp($1) / total - ($0 == 1 ? 1 : 0) }
        #expect(Approximate.mismatch(result["dz"]!.values, expected, relative: 1e-12, absolute: 1e-12) == nil)
    }

    @Test func emdGradientIsDefinedWhereDistributionsAreEqual() throws {
        var graph = Model("emd") { g in
            let e = g.input("e", [1, 4])
            g.output("loss", earthMoversDistanceLoss(e, g.input("t", [1, 4])))
        }.graph
        let e = try #require(graph.node(named: "e")).id
        let gradient = try KilnPasses.gradients(of: graph.outputs[0].node, wrt: [e], in: &graph)[0]
        graph.outputs = [GraphOutput(name: "de", node: gradient)]
        let same = ReferenceTensor(shape: [1, 4], [0.1, 0.2, 0.3, 0.4])
        let result = try Interpreter.run(graph, inputs: ["e": same, "t": same], parameters: [:])
        #expect(result["de"]!.values == [0, 0, 0, 0])
    }
}

import KilnPasses
