/// Comparison with broadcasting: 1 where a ≠ b, else 0 (see `ComparisonOperator`).
public struct NotEqual: ComparisonOperator {
    public init() {}
    public var mnemonic: String { "not_equal" }
    public var cOperator: String { "!=" }
    public func holds(_ a: Float, _ b: Float) -> Bool { a != b }
}
