/// Comparison with broadcasting: 1 where a ≤ b, else 0 (see `ComparisonOperator`).
public struct LessEqual: ComparisonOperator {
    public init() {}
    public var mnemonic: String { "less_equal" }
    public var cOperator: String { "<=" }
    public func holds(_ a: Float, _ b: Float) -> Bool { a <= b }
}
