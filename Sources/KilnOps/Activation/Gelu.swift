import Foundation
import KilnIR

/// Gaussian error linear unit, x·Φ(x) = ½x·erfc(−x/√2) (the exact form). Attribute
/// `approximate`: `"none"` (default) or `"tanh"` for ½x(1 + tanh(√(2/π)(x + 0.044715x³))),
/// as in PyTorch. Derivative Φ(x) + x·φ(x) (exact form).
///
/// A primitive rather than the composite DESIGN.md suggests: the erfc form is one elementwise
/// formula that stays accurate for negative x (½x(1 + erf(x/√2)) cancels there), one node maps
/// to ONNX `Gelu` and reads as one activation in the cost report, and its derivative is still
/// graph operations.
public struct Gelu: AttributedUnaryOperator {
    static let tanhScale = (2 / Double.pi).squareRoot()
    static let cubicCoefficient = 0.044715

    public init() {}
    public var mnemonic: String { "gelu" }
    public var flopsPerElement: Int { 10 }
    public var testDomains: [ClosedRange<Double>] { [-5...5] }
    public var attributeVariants: [Attributes] { [["approximate": .string("tanh")], ["approximate": .string("none")]] }

    func usesTanh(_ attributes: Attributes) -> Bool { attributes.string("approximate") == "tanh" }

    public func checkAttributes(_ attributes: Attributes) throws(ShapeError) {
        switch attributes["approximate"] {
        case nil, .string("none")?, .string("tanh")?: return
        case let other?: throw ShapeError("attribute 'approximate' is \(other); expected \"none\" or \"tanh\"")
        }
    }

    public func apply(_ x: Double, _ attributes: Attributes) -> Double {
        if usesTanh(attributes) {
            // ½x(1 + tanh(u)) written as x / (1 + e^(−2u)): the same function, without the cancellation
            // of 1 + tanh(u) for negative x, where float64 would lose every digit below x ≈ −6.
            let u = Gelu.tanhScale * (x + Gelu.cubicCoefficient * x * x * x)
            return x / (1 + Foundation.exp(-2 * u))
        }
        return 0.5 * x * Foundation.erfc(-x / 2.0.squareRoot())
    }

    public func cExpression(_ x: String, _ attributes: Attributes) -> String {
        usesTanh(attributes) ? "kiln_gelu_tanh(\(x))" : "kiln_gelu(\(x))"
    }

    /// Exact: Φ(x) + x·φ(x), with Φ(x) = ½(1 + erf(x/√2)) and φ(x) = e^(−x²/2)/√(2π).
    /// Tanh form: ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²), t = tanh(√(2/π)(x + 0.044715x³)).
    public func derivative(_ context: inout GradientContext, x: NodeID, y: NodeID) throws(KilnError) -> NodeID {
        let square = try context.add("square", [x])
        if usesTanh(context.node.attributes) {
            let cube = try context.add("mul", [square, x])
            let inner = try context.add("add", [x, try context.add("mul", [cube, context.scalar(Gelu.cubicCoefficient)])])
            let t = try context.add("tanh", [try context.add("mul", [inner, context.scalar(Gelu.tanhScale)])])
            let halfOnePlusT = try context.add("mul", [try context.add("add", [t, context.scalar(1)]), context.scalar(0.5)])
            let sech2 = try context.add("sub", [context.scalar(1), try context.add("square", [t])])
            let innerSlope = try context.add(
                "add", [try context.add("mul", [square, context.scalar(3 * Gelu.cubicCoefficient)]), context.scalar(1)])
            let scaledX = try context.add("mul", [x, context.scalar(0.5 * Gelu.tanhScale)])
            let second = try context.add("mul", [try context.add("mul", [scaledX, sech2]), innerSlope])
            return try context.add("add", [halfOnePlusT, second])
        }
        let erf = try context.add("erf", [try context.add("mul", [x, context.scalar(1 / 2.0.squareRoot())])])
        let cdf = try context.add("mul", [try context.add("add", [erf, context.scalar(1)]), context.scalar(0.5)])
        let gaussian = try context.add("exp", [try context.add("mul", [square, context.scalar(-0.5)])])
        let pdf = try context.add("mul", [gaussian, context.scalar(1 / (2 * Double.pi).squareRoot())])
        return try context.add("add", [cdf, try context.add("mul", [x, pdf])])
    }
}
