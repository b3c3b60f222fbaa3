/// Accumulates C source line by line, with indentation, and remembers which node wrote each line
/// so that a compiler error can name the node.
public struct CWriter: Sendable {
    /// The lines written so far.
    public private(set) var lines: [String] = []
    /// For each line, the name of the node whose code it is (nil for shared code).
    public private(set) var owners: [String?] = []
    private var indentation = 0

    /// The node that owns lines written from now on.
    public var owner: String?

    /// Creates an empty writer.
    public init() {}

    /// Writes one line at the current indentation.
    public mutating func line(_ text: String = "") {
        lines.append(text.isEmpty ? "" : String(repeating: "    ", count: indentation) + text)
        owners.append(owner)
    }

    /// Appends every line of `other`, each at its own indentation and with its own owner.
    public mutating func append(_ other: CWriter) {
        lines += other.lines
        owners += other.owners
    }

    /// Writes a `/* ... */` comment line; the text is made safe first.
    public mutating func comment(_ text: String) {
        line("/* " + CLiteral.commentText(text) + " */")
    }

    /// Writes `header {`, the body one level deeper, then `}`.
    public mutating func block(_ header: String, _ body: (inout CWriter) -> Void) {
        line(header + " {")
        indentation += 1
        body(&self)
        indentation -= 1
        line("}")
    }

    /// Writes `{`, the body one level deeper, then `}`: a scope for the body's declarations.
    public mutating func scope(_ body: (inout CWriter) -> Void) {
        line("{")
        indentation += 1
        body(&self)
        indentation -= 1
        line("}")
    }

    /// Writes a `for (long name = 0; name < count; name++)` loop around `body`.
    public mutating func loop(_ name: String, count: Int, _ body: (inout CWriter) -> Void) {
        block("for (long \(name) = 0; \(name) < \(count); \(name)++)", body)
    }

    /// Writes nested loops over `extents` with index variables `prefix0`, `prefix1`, ...
    /// and calls `body` innermost with the variable names.
    public mutating func loopNest(_ extents: [Int], prefix: String = "i", _ body: (inout CWriter, [String]) -> Void) {
        func nest(_ depth: Int, _ writer: inout CWriter, _ names: [String]) {
            if depth == extents.count {
                body(&writer, names)
                return
            }
            let name = "\(prefix)\(depth)"
            writer.loop(name, count: extents[depth]) { inner in nest(depth + 1, &inner, names + [name]) }
        }
        nest(0, &self, [])
    }

    /// The linear index `i0*s0 + i1*s1 + ...` over `indices` with `strides`, skipping zero strides.
    public static func index(_ indices: [String], strides: [Int]) -> String {
        let terms = zip(indices, strides).compactMap { name, stride -> String? in
            stride == 0 ? nil : (stride == 1 ? name : "\(name)*\(stride)")
        }
        return terms.isEmpty ? "0" : terms.joined(separator: " + ")
    }

    /// The whole source text.
    public var text: String { lines.joined(separator: "\n") + "\n" }
}
