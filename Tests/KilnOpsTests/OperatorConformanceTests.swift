import KilnIR
import KilnOps
import KilnTestSupport
import Testing

/// Every registered operator, compiled to C and run, against the float64 interpreter on every test case.
@Suite struct OperatorConformanceTests {
    @Test(arguments: OperatorRegistry.all.map(\.mnemonic))
    func compiledMatchesInterpreter(mnemonic: String) throws {
        let definition = try #require(OperatorRegistry.operator(mnemonic))
        #expect(!definition.testCases.isEmpty, "\(mnemonic) has no test cases")
        for testCase in definition.testCases {
            let mismatch = try OperatorHarness.compare(definition, testCase)
            #expect(mismatch == nil, "\(mnemonic) [\(testCase.label)]: \(mismatch ?? "")")
        }
    }

    @Test func mnemonicsAreUnique() {
        let names = OperatorRegistry.all.map(\.mnemonic)
        #expect(Set(names).count == names.count)
    }
}
