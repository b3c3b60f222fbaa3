/// The value of one node attribute.
public enum AttributeValue: Sendable, Hashable, CustomStringConvertible {
    case int(Int)
    case float(Double)
    case bool(Bool)
    case string(String)
    case ints([Int])
    case floats([Double])

    /// The text form used by the `.kiln` format: `3`, `0.5`, `true`, `"same"`, `[0,2,1]`, `f[1.0,2.0]`.
    public var description: String {
        switch self {
        case .int(let value): String(value)
        case .float(let value): AttributeValue.format(value)
        case .bool(let value): value ? "true" : "false"
        case .string(let value): GraphText.quote(value)
        case .ints(let values): "[" + values.map(String.init).joined(separator: ",") + "]"
        case .floats(let values): "f[" + values.map(AttributeValue.format).joined(separator: ",") + "]"
        }
    }

    /// Formats a float so that it always reads back as a float (`1.0`, `1e-05`, `inf`).
    static func format(_ value: Double) -> String {
        let text = String(value)
        return text.contains(where: { $0 == "." || $0 == "e" || $0 == "n" || $0 == "i" }) ? text : text + ".0"
    }
}

/// A node's attributes, kept sorted by name so that printing is deterministic.
public struct Attributes: Sendable, Hashable, ExpressibleByDictionaryLiteral, Sequence {
    private var storage: [String: AttributeValue]

    /// Creates attributes from a dictionary.
    public init(_ values: [String: AttributeValue] = [:]) { storage = values }

    public init(dictionaryLiteral elements: (String, AttributeValue)...) {
        storage = Dictionary(elements, uniquingKeysWith: { _, last in last })
    }

    /// The value named `name`.
    public subscript(name: String) -> AttributeValue? {
        get { storage[name] }
        set { storage[name] = newValue }
    }

    /// Whether there are no attributes.
    public var isEmpty: Bool { storage.isEmpty }

    /// The attributes sorted by name.
    public var sorted: [(name: String, value: AttributeValue)] {
        storage.keys.sorted().map { ($0, storage[$0]!) }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: AttributeValue)]> {
        sorted.makeIterator()
    }

    /// An integer attribute, or `fallback` when absent.
    public func int(_ name: String, default fallback: Int) -> Int {
        if case .int(let value)? = storage[name] { return value }
        return fallback
    }

    /// An integer attribute, or nil.
    public func int(_ name: String) -> Int? {
        if case .int(let value)? = storage[name] { return value }
        return nil
    }

    /// A float attribute (an integer is accepted), or `fallback` when absent.
    public func float(_ name: String, default fallback: Double) -> Double {
        switch storage[name] {
        case .float(let value)?: value
        case .int(let value)?: Double(value)
        default: fallback
        }
    }

    /// A boolean attribute, or `fallback` when absent.
    public func bool(_ name: String, default fallback: Bool) -> Bool {
        if case .bool(let value)? = storage[name] { return value }
        return fallback
    }

    /// A string attribute, or nil.
    public func string(_ name: String) -> String? {
        if case .string(let value)? = storage[name] { return value }
        return nil
    }

    /// An integer-list attribute, or nil.
    public func ints(_ name: String) -> [Int]? {
        switch storage[name] {
        case .ints(let values)?: values
        case .int(let value)?: [value]
        default: nil
        }
    }

    /// A float-list attribute, or nil.
    public func floats(_ name: String) -> [Double]? {
        switch storage[name] {
        case .floats(let values)?: values
        case .ints(let values)?: values.map(Double.init)
        default: nil
        }
    }
}
