/// What a shape rule reports when a node's inputs do not fit its operator.
///
/// The message names the offending input, its type and what was expected; `KilnError.shape`
/// adds the node and the user's source line.
public struct ShapeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The explanation, e.g. `inner dimensions differ: input 0 is f32[2,3], input 1 is f32[4,5]`.
    public var message: String

    /// Creates a shape error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// The node an error is about: its operator, name, input types and provenance.
public struct NodeContext: Sendable, Hashable, CustomStringConvertible {
    /// The operator's mnemonic.
    public var op: String
    /// The node's name.
    public var name: String
    /// The types of the node's inputs.
    public var inputTypes: [TensorType]
    /// Where the node came from.
    public var provenance: Provenance

    /// Creates a node context.
    public init(op: String, name: String, inputTypes: [TensorType] = [], provenance: Provenance = Provenance()) {
        self.op = op
        self.name = name
        self.inputTypes = inputTypes
        self.provenance = provenance
    }

    /// `matmul 'fc1' at MyApp/Model.swift:12`.
    public var description: String {
        var text = "\(op) '\(name)'"
        if !provenance.location.isEmpty { text += " at \(provenance.location)" }
        return text
    }
}

/// A C compiler's failure, with the generated lines around the error and the node that emitted them.
public struct CompileFailure: Sendable, Hashable, CustomStringConvertible {
    /// The compiler's own message.
    public var compilerMessage: String
    /// The 1-based line of the generated source the message refers to, if it named one.
    public var line: Int?
    /// The generated lines around `line`, each prefixed with its number.
    public var context: [String]
    /// The node whose C the failing line belongs to, if known.
    public var node: String?

    /// Creates a compile failure.
    public init(compilerMessage: String, line: Int?, context: [String], node: String?) {
        self.compilerMessage = compilerMessage
        self.line = line
        self.context = context
        self.node = node
    }

    public var description: String {
        var text = "C compilation failed: \(compilerMessage)"
        if let node { text += "\n  in the code of node '\(node.escapingControlCharacters)'" }
        if !context.isEmpty { text += "\n" + context.joined(separator: "\n") }
        return text
    }
}

/// Every error Kiln reports. User errors, compile errors and runtime errors are distinct cases;
/// payloads are structured and `description` is the one-line (or short) message a person reads.
public enum KilnError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A node's inputs do not fit its operator (user error).
    case shape(NodeContext, ShapeError)
    /// A node uses an operator Kiln does not know (user error).
    case unsupportedOperator(NodeContext)
    /// The graph breaks an IR invariant (user error in a hand-written graph, or a Kiln bug).
    case invalidGraph(String)
    /// Graph text could not be parsed (user error).
    case parse(line: Int, message: String)
    /// A value given to Kiln is unusable: a missing input, a wrong shape, a bad file (user error).
    case invalidArgument(String)
    /// Reading or writing a file failed.
    case io(path: String, message: String)
    /// The C compiler rejected generated code.
    case compile(CompileFailure)
    /// Running compiled code failed.
    case runtime(String)

    /// The message, on one line: control characters from names and paths are escaped (`\n`, `\u{1B}`), except
    /// in a compile failure, whose compiler output and source context span lines.
    public var description: String {
        if case .compile(let failure) = self { return failure.description }
        return message.escapingControlCharacters
    }

    private var message: String {
        switch self {
        case .shape(let context, let error): "\(context): \(error.message)"
        case .unsupportedOperator(let context): "\(context): unsupported operator '\(context.op)'"
        case .invalidGraph(let message): "invalid graph: \(message)"
        case .parse(let line, let message): "parse error at line \(line): \(message)"
        case .invalidArgument(let message): message
        case .io(let path, let message): "\(path): \(message)"
        case .compile(let failure): failure.description
        case .runtime(let message): "runtime error: \(message)"
        }
    }
}

extension String {
    /// The string with every control character (newlines, carriage returns, escapes, line separators)
    /// written as a Swift escape, so a name or path quoted in a message stays on one line and cannot
    /// move a terminal's cursor: a newline becomes the two characters `\n`, an escape `\u{1B}`.
    public var escapingControlCharacters: String {
        var result = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                switch scalar.properties.generalCategory {
                case .control, .lineSeparator, .paragraphSeparator, .format where scalar.value >= 0x202A && scalar.value <= 0x2069:
                    result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                default: result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }
}
