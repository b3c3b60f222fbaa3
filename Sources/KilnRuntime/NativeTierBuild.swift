import Foundation
import KilnCodegen
import KilnIR

/// The native build of one executable's program, on a background queue (one build at a time
/// per process, so that many executables compiled at once do not start as many compilers).
///
/// The executable polls it between calls (`takeIfReady`) and swaps the code in; `wait` blocks
/// until the build ended. An executable released before its build starts abandons it.
final class NativeTierBuild: @unchecked Sendable {
    private static let queue = DispatchQueue(label: "kiln.native-tier", qos: .utility)
    private let condition = NSCondition()
    private var finished = false
    private var built: LoadedProgram?
    private var abandoned = false

    /// Why the build failed, once it did.
    private(set) var error: KilnError?
    /// Seconds the build took (compile or cache lookup and load), once it succeeded.
    private(set) var seconds: Double?
    /// Whether it compiled or loaded from the cache, once it succeeded.
    private(set) var outcome: NativeBackend.Outcome?

    /// Starts building `program` with `backend`.
    init(program: GeneratedProgram, backend: NativeBackend) {
        NativeTierBuild.queue.async { [self] in
            condition.lock()
            let skip = abandoned
            condition.unlock()
            if skip { return finish(nil, error: .runtime("the native build was abandoned"), seconds: nil, outcome: nil) }
            let start = MonotonicClock.seconds()
            do throws(KilnError) {
                let (module, outcome) = try backend.compileReporting(source: program.source, lineOwners: program.lineOwners)
                let loaded = try LoadedProgram(module: module, tier: .native)
                finish(loaded, error: nil, seconds: MonotonicClock.seconds() - start, outcome: outcome)
            } catch {
                finish(nil, error: error, seconds: nil, outcome: nil)
            }
        }
    }

    /// Marks the build unwanted: it is skipped if it has not started.
    func abandon() {
        condition.lock()
        abandoned = true
        built = nil
        condition.unlock()
    }

    /// The native code when the build has finished and succeeded, handed over once.
    func takeIfReady() -> LoadedProgram? {
        condition.lock()
        defer { condition.unlock() }
        let result = built
        built = nil
        return result
    }

    /// Whether the build has ended, successfully or not.
    var isFinished: Bool {
        condition.lock()
        defer { condition.unlock() }
        return finished
    }

    /// Blocks until the build has ended.
    func wait() {
        condition.lock()
        while !finished { condition.wait() }
        condition.unlock()
    }

    private func finish(_ loaded: LoadedProgram?, error: KilnError?, seconds: Double?, outcome: NativeBackend.Outcome?) {
        condition.lock()
        built = abandoned ? nil : loaded
        self.error = error
        self.seconds = seconds
        self.outcome = outcome
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}
