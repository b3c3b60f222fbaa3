import Kiln
import KilnTestSupport
import Testing

/// Compiled code called from several threads at once computes what it computes serially
/// (`make test-sanitize` runs the same stress under ASan and TSan).
@Suite struct ConcurrencyTests {
    @Test func threadsSharingExecutablesAndCompilingTrainersMatchTheSerialResults() throws {
        let report = try ConcurrencyStress.run(threads: 4, calls: 8, trainingSteps: 2)
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(report.mismatches.isEmpty, "\(report.mismatches)")
        #expect(report.calls == 4 * (8 + 2))
    }
}
