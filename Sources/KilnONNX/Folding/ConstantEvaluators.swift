import Foundation
import KilnIR
import KilnOps

/// Evaluates one ONNX node on import-time values (nil where an optional input is omitted).
typealias ConstantEvaluator = @Sendable (ONNXNode, [TensorValue?]) throws(KilnError) -> [TensorValue]

/// Exact import-time evaluators for the operators of shape arithmetic and mask building, with
/// ONNX's semantics: integer division truncates, `Mod` follows its `fmod` mode, comparisons give
/// booleans (0/1 float32 masks), `Where` and `Cast` take their output type from the operands and
/// the attribute. Values are held as doubles, exact for integers below 2⁵³ (far above any
/// dimension); results saturate to the int64 range.
enum ConstantEvaluators {
    static let table: [String: ConstantEvaluator] = arithmetic
        .merging(logic) { first, _ in first }
        .merging(unary) { first, _ in first }
        .merging(structured) { first, _ in first }

    static let arithmetic: [String: ConstantEvaluator] = [
        "Add": binary { a, b, _ in a + b }, "Sub": binary { a, b, _ in a - b }, "Mul": binary { a, b, _ in a * b },
        "Pow": binary { a, b, _ in Foundation.pow(a, b) },
        "Div": binary { (a: Double, b: Double, integral: Bool) throws(ConstantError) -> Double in
            guard integral else { return a / b }
            guard b != 0 else { throw ConstantError("integer division by zero") }
            return (a / b).rounded(.towardZero)
        },
        "Mod": mod,
        "Max": variadic { $0.max()! }, "Min": variadic { $0.min()! }, "Sum": variadic { $0.reduce(0, +) },
        "Mean": variadic { $0.reduce(0, +) / Double($0.count) },
    ]

    static let logic: [String: ConstantEvaluator] = [
        "Equal": comparison(==), "Less": comparison(<), "Greater": comparison(>),
        "LessOrEqual": comparison(<=), "GreaterOrEqual": comparison(>=),
        "And": comparison { $0 != 0 && $1 != 0 }, "Or": comparison { $0 != 0 || $1 != 0 },
        "Xor": comparison { ($0 != 0) != ($1 != 0) },
        "Where": { (node: ONNXNode, inputs: [TensorValue?]) throws(KilnError) -> [TensorValue] in
            let operands = try present(node, inputs, count: 3)
            return [try broadcast(node, operands, dtype: operands[1].type.dtype) { $0[0] != 0 ? $0[1] : $0[2] }]
        },
    ]

    static let unary: [String: ConstantEvaluator] = [
        "Neg": elementwise { -$0 }, "Abs": elementwise { Swift.abs($0) },
        "Sign": elementwise { $0 > 0 ? 1 : $0 < 0 ? -1 : 0 },
        "Floor": elementwise { $0.rounded(.down) }, "Ceil": elementwise { $0.rounded(.up) },
        "Round": elementwise { $0.rounded(.toNearestOrEven) }, "Sqrt": elementwise { $0.squareRoot() },
        "Reciprocal": elementwise { 1 / $0 },
        "Not": elementwise(.float32) { $0 == 0 ? 1 : 0 },
        "IsNaN": elementwise(.float32) { $0.isNaN ? 1 : 0 },
        "Cast": { (node: ONNXNode, inputs: [TensorValue?]) throws(KilnError) -> [TensorValue] in
            let x = try present(node, inputs, count: 1)[0]
            let target = try ONNXTypeRules.castTarget(node)
            let values = target == .bool ? x.doubles.map { $0 != 0 ? 1 : 0 } : x.doubles
            return [TensorValue(type: TensorType(target.kilnType, x.shape), doubles: values)]
        },
    ]

    /// A failure of an evaluator's formula, reported with the node's name.
    struct ConstantError: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    /// The first `count` inputs, which must be present.
    static func present(_ node: ONNXNode, _ inputs: [TensorValue?], count: Int) throws(KilnError) -> [TensorValue] {
        var result: [TensorValue] = []
        for index in 0..<count {
            guard index < inputs.count, let value = inputs[index] else { throw node.error("missing required input \(index)") }
            result.append(value)
        }
        return result
    }

    /// The present inputs, at least one.
    static func allPresent(_ node: ONNXNode, _ inputs: [TensorValue?]) throws(KilnError) -> [TensorValue] {
        let values = inputs.compactMap { $0 }
        guard !values.isEmpty else { throw node.error("needs at least one input") }
        return values
    }

    /// `formula` over the NumPy broadcast of `operands`, as a tensor of `dtype`.
    static func broadcast(
        _ node: ONNXNode, _ operands: [TensorValue], dtype: DType, _ formula: ([Double]) throws(ConstantError) -> Double
    ) throws(KilnError) -> TensorValue {
        var shape = operands[0].shape
        for operand in operands.dropFirst() {
            guard let joined = Shape.broadcast(shape, operand.shape) else {
                throw node.error("cannot broadcast the import-time inputs \(operands.map { $0.shape.description }.joined(separator: ", "))")
            }
            shape = joined
        }
        let count = try ImportLimits.elementCount(shape.dimensions, of: "ONNX node '\(node.name)' (\(node.opType))")
        let strides = operands.map { $0.shape.broadcastStrides(to: shape) }
        let values = operands.map(\.doubles)
        var results: [Double] = []
        results.reserveCapacity(count)
        var arguments = [Double](repeating: 0, count: operands.count)
        do {
            for index in IndexSpace(shape) {
                for operand in operands.indices { arguments[operand] = values[operand][index.offset(strides: strides[operand])] }
                results.append(try formula(arguments))
            }
        } catch {
            throw node.error(error.message)
        }
        return TensorValue(type: TensorType(dtype, shape), doubles: results)
    }

    /// A binary operator whose result has the operands' type; the formula learns whether it is integral.
    static func binary(_ formula: @escaping @Sendable (Double, Double, Bool) throws(ConstantError) -> Double) -> ConstantEvaluator {
        { (node: ONNXNode, inputs: [TensorValue?]) throws(KilnError) -> [TensorValue] in
            let operands = try present(node, inputs, count: 2)
            let dtype = operands[0].type.dtype
            return [try broadcast(node, operands, dtype: dtype) { (pair: [Double]) throws(ConstantError) -> Double in
                try formula(pair[0], pair[1], dtype.isInteger)
            }]
        }
    }

    /// `Max`, `Min`, `Sum`, `Mean` over any number of broadcast inputs.
    static func variadic(_ formula: @escaping @Sendable ([Double]) -> Double) -> ConstantEvaluator {
        { (node: ONNXNode, inputs: [TensorValue?]) throws(KilnError) -> [TensorValue] in
            let operands = try allPresent(node, inputs)
            return [try broadcast(node, operands, dtype: operands[0].type.dtype) { formula($0) }]
        }
    }

    /// A comparison or logical operator: a boolean mask.
    static func comparison(_ relation: @escaping @Sendable (Double, Double) -> Bool) -> ConstantEvaluator {
        { (node: ONNXNode, inputs: [TensorValue?]) throws(KilnError) -> [TensorValue] in
            [try broadcast(node, try present(node, inputs, count: 2), dtype: .float32) { relation($0[0], $0[1]) ? 1 : 0 }]
        }
    }

    /// A unary operator; its result has the input's type unless `dtype` says otherwise.
    static func elementwise(_ dtype: DType? = nil, _ formula: @escaping @Sendable (Double) -> Double) -> ConstantEvaluator {
        { (node: ONNXNode, inputs: [TensorValue?]) throws(KilnError) -> [TensorValue] in
            let x = try present(node, inputs, count: 1)[0]
            return [TensorValue(type: TensorType(dtype ?? x.type.dtype, x.shape), doubles: x.doubles.map(formula))]
        }
    }

    /// `Mod`: with `fmod` 0 the remainder takes the divisor's sign (Python's `%`), with 1 the
    /// dividend's (C's `fmod`).
    static let mod: ConstantEvaluator = { (node: ONNXNode, inputs: [TensorValue?]) throws(KilnError) -> [TensorValue] in
        let operands = try present(node, inputs, count: 2)
        let dtype = operands[0].type.dtype, divisorSign = node.int("fmod", default: 0) == 0
        return [try broadcast(node, operands, dtype: dtype) { (pair: [Double]) throws(ConstantError) -> Double in
            let (a, b) = (pair[0], pair[1])
            guard b != 0 || !dtype.isInteger else { throw ConstantError("integer modulo by zero") }
            let remainder = a.truncatingRemainder(dividingBy: b)
            return divisorSign && remainder != 0 && (remainder < 0) != (b < 0) ? remainder + b : remainder
        }]
    }
}
