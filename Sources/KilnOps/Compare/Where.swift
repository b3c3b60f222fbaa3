import KilnIR

/// Selection with broadcasting: `a` where `condition` is non-zero, `b` elsewhere.
public struct Where: Operator {
    public init() {}
    public var mnemonic: String { "where" }
    public var arity: ClosedRange<Int> { 3...3 }
    public var fusionKind: FusionKind { .broadcast }

    public func inferType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try inferBroadcastType(inputs)
    }

    public func evaluate(_ inputs: [ReferenceTensor], _ signature: OperatorSignature) -> ReferenceTensor {
        broadcastEvaluate(inputs, signature) { $0[0] != 0 ? $0[1] : $0[2] }
    }

    public func emitC(_ kernel: inout KernelContext) {
        emitBroadcastLoop(&kernel) { "(\($0[0]) != 0.0f ? \($0[1]) : \($0[2]))" }
    }

    public var testCases: [OperatorTestCase] {
        broadcastTestCases(arity: 3, domains: [0...1.999, -2...2, -2...2]).map { testCase in
            var testCase = testCase
            testCase.integerValued = [0]  // the condition is a 0/1 mask
            return testCase
        }
    }
}
