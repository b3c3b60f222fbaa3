import KilnIR
import KilnOps
import KilnTestSupport
import Testing

/// The gradient checker itself: it accepts right gradients and rejects wrong ones, element by
/// element and along a random direction.
@Suite struct GradientCheckerTests {
    private func sumOfCubes(_ x: [Double]) -> Double { x.reduce(0) { $0 + $1 * $1 * $1 } }

    @Test(arguments: [5, 100])
    func acceptsTheRightGradient(count: Int) throws {
        let x = (0..<count).map { Double($0 % 7) / 3 - 1 }
        let mismatch = FiniteDifferences.mismatch(sumOfCubes, at: x, gradient: x.map { 3 * $0 * $0 })
        #expect(mismatch == nil)
    }

    @Test(arguments: [5, 100])
    func rejectsAWrongGradient(count: Int) throws {
        let x = (0..<count).map { Double($0 % 7) / 3 - 1 }
        var gradient = x.map { 3 * $0 * $0 }
        gradient[count / 2] += 1e-3
        let mismatch = FiniteDifferences.mismatch(sumOfCubes, at: x, gradient: gradient)
        #expect(mismatch != nil)
        if count <= FiniteDifferences.elementwiseLimit {
            #expect(mismatch?.hasPrefix("element \(count / 2) ") == true)
        } else {
            #expect(mismatch?.hasPrefix("along a random direction") == true)
        }
    }

    @Test func largeMatmulAlongARandomDirection() throws {
        let testCase = OperatorTestCase("large", inputs: [.f32(8, 16), .f32(16, 8)])
        let backward = try GradientChecker.backwardGraph(Matmul(), testCase)
        let values = GradientChecker.values(testCase)
        #expect(try GradientChecker.checkFiniteDifferences(backward, values: values) == nil)
        #expect(try GradientChecker.checkCompiled(backward, values: values) == nil)
    }
}
