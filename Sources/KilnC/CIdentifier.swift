/// Turns arbitrary user names into C identifiers: only `[A-Za-z0-9_]`, never a keyword, never
/// starting with a digit, at most 48 characters, and unique within one `CNamer`.
public struct CNamer: Sendable {
    private var used: Set<String>
    private let prefix: String

    /// Creates a namer whose identifiers start with `prefix` (e.g. `k` for kernels).
    /// `reserved` names are never produced.
    public init(prefix: String = "", reserved: Set<String> = []) {
        self.prefix = prefix
        self.used = reserved.union(CNamer.keywords)
    }

    /// A fresh identifier derived from `name`.
    public mutating func identifier(for name: String) -> String {
        var base = prefix + CNamer.sanitize(name)
        if base.isEmpty || base.first!.isNumber { base = "_" + base }
        var candidate = base
        var suffix = 1
        while used.contains(candidate) {
            candidate = "\(base)_\(suffix)"
            suffix += 1
        }
        used.insert(candidate)
        return candidate
    }

    /// `name` with every character outside `[A-Za-z0-9_]` replaced by `_`, runs collapsed, and cut to 40.
    public static func sanitize(_ name: String) -> String {
        var result = ""
        for scalar in name.unicodeScalars {
            let ok = scalar.isASCII && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar))
            if ok {
                result.unicodeScalars.append(scalar)
            } else if result.last != "_" {
                result.append("_")
            }
        }
        return String(result.prefix(40))
    }

    /// C99 keywords and names Kiln's generated code uses itself.
    public static let keywords: Set<String> = [
        "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
        "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return",
        "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void",
        "volatile", "while", "_Bool", "_Complex", "_Imaginary", "main", "arena",
    ]
}
