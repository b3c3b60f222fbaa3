import KilnIR
import KilnRuntime
import Testing

/// The same whole-domain accuracy rule as `TranscendentalAccuracyTests`, for the code the native
/// compiler makes of the approximations: `-O3 -march=native` contracts products and sums into fused
/// multiply-adds and takes the `fmaf` branches, so its results are not tcc's.
@Suite struct NativeTranscendentalAccuracyTests {
    static let native = NativeBackend(cache: nil)

    @Test(arguments: TranscendentalAccuracyTests.unaryCases.indices)
    func unaryOverTheWholeDomain(_ index: Int) throws {
        try #require(Self.native.compiler != nil, "no system C compiler")
        let (op, attributes) = TranscendentalAccuracyTests.unaryCases[index]
        let (violation, worst) = try TranscendentalAccuracyTests.run(
            op, [TranscendentalAccuracyTests.domain], attributes, execution: ExecutionBackend(.native, native: Self.native))
        #expect(violation == nil, "\(op) \(attributes): \(violation ?? "")")
        #expect(worst > 0, "\(op): some value must differ from the reference, or the comparison compares nothing")
    }
}
