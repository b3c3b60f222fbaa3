/// Comparison with broadcasting: 1 where a ≥ b, else 0 (see `ComparisonOperator`).
public struct GreaterEqual: ComparisonOperator {
    public init() {}
    public var mnemonic: String { "greater_equal" }
    public var cOperator: String { ">=" }
    public func holds(_ a: Float, _ b: Float) -> Bool { a >= b }
}
