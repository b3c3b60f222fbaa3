/// Comparison with broadcasting: 1 where a > b, else 0 (see `ComparisonOperator`).
public struct Greater: ComparisonOperator {
    public init() {}
    public var mnemonic: String { "greater" }
    public var cOperator: String { ">" }
    public func holds(_ a: Float, _ b: Float) -> Bool { a > b }
}
