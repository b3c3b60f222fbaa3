import Foundation
import KilnTestSupport

// `kiln-stress [THREADS] [CALLS]`: the concurrency stress (`ConcurrencyStress`) as a program, for
// the sanitizer builds of `make test-sanitize`. Exits 1 when a result differs from the serial run.
let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let threads = arguments.first ?? 8, calls = arguments.dropFirst().first ?? 24
do {
    let report = try ConcurrencyStress.run(threads: threads, calls: calls)
    for problem in report.errors + report.mismatches { print("error: \(problem)") }
    print("\(threads) threads x \(calls) calls: \(report.calls) results, \(report.mismatches.count) mismatches, \(report.errors.count) errors")
    exit(report.errors.isEmpty && report.mismatches.isEmpty ? 0 : 1)
} catch {
    print("error: \(error)")
    exit(1)
}
