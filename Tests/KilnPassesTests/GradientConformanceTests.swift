import KilnIR
import KilnOps
import KilnTestSupport
import Testing

/// Every registered operator's gradient rule, on every differentiable test case: the backward
/// graph against float64 finite differences, and the compiled float32 backward against the
/// interpreted float64 backward.
@Suite struct GradientConformanceTests {
    @Test(arguments: OperatorRegistry.all.map(\.mnemonic))
    func backwardMatchesFiniteDifferences(mnemonic: String) throws {
        let definition = try #require(OperatorRegistry.operator(mnemonic))
        for testCase in definition.testCases where testCase.differentiable {
            let mismatch = problem {
                let backward = try GradientChecker.backwardGraph(definition, testCase)
                return try GradientChecker.checkFiniteDifferences(backward, values: GradientChecker.values(testCase))
            }
            #expect(mismatch == nil, "\(mnemonic) [\(testCase.label)]: \(mismatch ?? "")")
        }
    }

    @Test(arguments: OperatorRegistry.all.map(\.mnemonic))
    func compiledBackwardMatchesInterpreter(mnemonic: String) throws {
        let definition = try #require(OperatorRegistry.operator(mnemonic))
        for testCase in definition.testCases where testCase.differentiable {
            let mismatch = problem {
                let backward = try GradientChecker.backwardGraph(definition, testCase)
                return try GradientChecker.checkCompiled(backward, values: GradientChecker.values(testCase))
            }
            #expect(mismatch == nil, "\(mnemonic) [\(testCase.label)]: \(mismatch ?? "")")
        }
    }

    /// What `check` reports, or the error it throws, so that one failing case does not hide the others.
    private func problem(_ check: () throws -> String?) -> String? {
        do {
            return try check()
        } catch {
            return "\(error)"
        }
    }
}
