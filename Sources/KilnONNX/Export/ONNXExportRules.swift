import Foundation
import KilnIR

/// Writes one Kiln node as ONNX nodes (inputs: the ONNX values of its operands) and returns the
/// ONNX value of its result.
typealias ONNXExportRule = @Sendable (inout ExportContext, Node, [String]) throws(KilnError) -> String

/// How each Kiln operator with an ONNX equivalent is exported (opset 17).
enum ONNXExportRules {
    static let table: [String: ONNXExportRule] = elementwise.merging(structured) { first, _ in first }
        .merging(["lstm_sequence": lstmSequence]) { first, _ in first }

    /// An ONNX operator of the same operands.
    static func same(_ op: String) -> ONNXExportRule {
        { (context: inout ExportContext, _: Node, operands: [String]) throws(KilnError) -> String in
            context.emit(op, operands, final: true)
        }
    }

    static let elementwise: [String: ONNXExportRule] = [
        "add": same("Add"), "sub": same("Sub"), "mul": same("Mul"), "div": same("Div"), "pow": same("Pow"),
        "maximum": same("Max"), "minimum": same("Min"), "neg": same("Neg"), "abs": same("Abs"), "exp": same("Exp"),
        "log": same("Log"), "sqrt": same("Sqrt"), "reciprocal": same("Reciprocal"), "relu": same("Relu"),
        "sigmoid": same("Sigmoid"), "tanh": same("Tanh"), "erf": same("Erf"), "sin": same("Sin"), "cos": same("Cos"),
        "floor": same("Floor"), "ceil": same("Ceil"), "round": same("Round"), "stop_gradient": same("Identity"),
        "hard_swish": same("HardSwish"), "selu": same("Selu"), "softplus": same("Softplus"),
        "rsqrt": { context, _, operands in context.emit("Reciprocal", [context.emit("Sqrt", operands)], final: true) },
        "square": { context, _, operands in context.emit("Mul", [operands[0], operands[0]], final: true) },
        "silu": { context, _, operands in context.emit("Mul", [operands[0], context.emit("Sigmoid", operands)], final: true) },
        "relu6": { context, _, operands in context.emit("Clip", [operands[0], context.scalar(0), context.scalar(6)], final: true) },
        "hard_sigmoid": { context, _, operands in
            context.emit("HardSigmoid", operands, [ONNXAttribute.float("alpha", 1.0 / 6), ONNXAttribute.float("beta", 0.5)], final: true)
        },
        "leaky_relu": { context, node, operands in
            context.emit("LeakyRelu", operands, [ONNXAttribute.float("alpha", node.attributes.float("alpha", default: 0.01))], final: true)
        },
        "elu": { context, node, operands in
            context.emit("Elu", operands, [ONNXAttribute.float("alpha", node.attributes.float("alpha", default: 1))], final: true)
        },
        "gelu": gelu,
        "equal": comparison("Equal"), "less": comparison("Less"), "greater": comparison("Greater"),
        "less_equal": comparison("LessOrEqual"), "greater_equal": comparison("GreaterOrEqual"),
        "not_equal": { context, _, operands in
            let equal = context.emit("Equal", operands)
            return context.emit("Cast", [context.emit("Not", [equal])], [ONNXAttribute.int("to", 1)], final: true)
        },
        "where": { context, _, operands in
            let condition = context.emit("Cast", [operands[0]], [ONNXAttribute.int("to", Int(ONNXTensor.ElementType.bool.rawValue))])
            return context.emit("Where", [condition, operands[1], operands[2]], final: true)
        },
        "cast": { context, node, operands in
            context.emit("Cast", operands, [ONNXAttribute.int("to", Int(ONNXExporter.elementType(node.type.dtype).rawValue))], final: true)
        },
    ]

    /// A comparison: ONNX's boolean result as Kiln's float mask.
    static func comparison(_ op: String) -> ONNXExportRule {
        { (context: inout ExportContext, _: Node, operands: [String]) throws(KilnError) -> String in
            context.emit("Cast", [context.emit(op, operands)], [ONNXAttribute.int("to", 1)], final: true)
        }
    }

    /// GELU, which opset 17 lacks: ½x(1 + erf(x/√2)), or the tanh approximation.
    static let gelu: ONNXExportRule = { (context: inout ExportContext, node: Node, operands: [String]) throws(KilnError) -> String in
        let x = operands[0]
        let half = context.emit("Mul", [x, context.scalar(0.5)])
        let inner: String
        if node.attributes.string("approximate") == "tanh" {
            let cube = context.emit("Mul", [context.emit("Mul", [x, x]), x])
            let sum = context.emit("Add", [x, context.emit("Mul", [cube, context.scalar(0.044715)])])
            inner = context.emit("Tanh", [context.emit("Mul", [sum, context.scalar((2 / Double.pi).squareRoot())])])
        } else {
            inner = context.emit("Erf", [context.emit("Div", [x, context.scalar(2.0.squareRoot())])])
        }
        return context.emit("Mul", [half, context.emit("Add", [inner, context.scalar(1)])], final: true)
    }
}
