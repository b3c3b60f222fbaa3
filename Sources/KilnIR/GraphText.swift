/// Prints a graph in the `.kiln` text format.
///
/// One node per line, SSA style, with the type on every line:
///
/// ```
/// graph mlp {
///   %0 = input() : f32[64,784] name="x"
///   %1 = param() {fan_in=784, fan_out=512, init="he_uniform"} : f32[784,512] name="fc1.weight" layer="fc1"
///   %2 = matmul(%0, %1) : f32[64,512] name="fc1.matmul" layer="fc1" loc="KilnModels/MLP.swift:20"
///   output "y" = %2
/// }
/// ```
///
/// Training graphs also list their in-place state updates: `update %1 = %9`.
/// ```
/// ```
///
/// `GraphParser` reads it back to the identical graph.
public enum GraphText {
    /// The text of a model file: `inference`, then, when given, its training forward graph as a
    /// `training graph NAME { ... }` block (dropout sites, batch statistics with their running-
    /// statistic updates, the loss), so that the file trains exactly like the model it came from.
    public static func print(_ inference: Graph, training: Graph?) -> String {
        print(inference) + (training.map { "\ntraining " + print($0) } ?? "")
    }

    /// The text of `graph`.
    public static func print(_ graph: Graph) -> String {
        var lines = ["graph \(quoteIfNeeded(graph.name)) {"]
        for node in graph.nodes {
            var line = "  \(node.id) = \(node.op)(" + node.inputs.map(\.description).joined(separator: ", ") + ")"
            if !node.attributes.isEmpty {
                line += " {" + node.attributes.sorted.map { "\($0.name)=\($0.value)" }.joined(separator: ", ") + "}"
            }
            line += " : \(node.type) name=\(quote(node.name))"
            if !node.provenance.layer.isEmpty { line += " layer=\(quote(node.provenance.layer))" }
            if !node.provenance.file.isEmpty { line += " loc=\(quote(node.provenance.location))" }
            lines.append(line)
        }
        for output in graph.outputs {
            lines.append("  output \(quote(output.name)) = \(output.node)")
        }
        for update in graph.updates {
            lines.append("  update \(update.target) = \(update.value)")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A double-quoted string literal with `\\`, `\"`, `\n`, `\t` and other control characters escaped.
    public static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    static func quoteIfNeeded(_ name: String) -> String {
        let plain = !name.isEmpty && name.unicodeScalars.allSatisfy {
            ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" || $0 == "."
        }
        return plain ? name : quote(name)
    }
}
