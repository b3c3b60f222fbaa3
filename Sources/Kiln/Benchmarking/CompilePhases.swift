import Foundation
import KilnRuntime

/// Seconds spent in one phase of turning a model into running code.
public struct CompilePhase: Sendable, Hashable {
    /// The phase: `import`, `setup`, `passes`, `code generation`, or the compiler's name (`tcc`).
    public var name: String
    /// Wall-clock seconds.
    public var seconds: Double

    /// Creates a phase.
    public init(name: String, seconds: Double) {
        self.name = name
        self.seconds = seconds
    }
}

/// Collects the phases of the compilations that run inside `recording(_:)` on this task:
/// `Compilation` reports its passes, code generation and compiler time here, so that
/// `kiln bench` can say where compile time goes without a timing parameter on every API.
public final class CompilePhaseRecorder: @unchecked Sendable {
    @TaskLocal static var current: CompilePhaseRecorder?

    private let lock = NSLock()
    private var recorded: [CompilePhase] = []

    /// Creates an empty recorder.
    public init() {}

    /// The phases recorded so far, in order; a phase recorded twice (a second compilation) is summed.
    public var phases: [CompilePhase] {
        lock.withLock {
            var merged: [CompilePhase] = []
            for phase in recorded {
                if let index = merged.firstIndex(where: { $0.name == phase.name }) {
                    merged[index].seconds += phase.seconds
                } else {
                    merged.append(phase)
                }
            }
            return merged
        }
    }

    /// Runs `body` with this recorder collecting the compilations inside it.
    public func recording<T>(_ body: () throws -> T) rethrows -> T {
        try CompilePhaseRecorder.$current.withValue(self) { try body() }
    }

    /// Adds a phase.
    public func record(_ name: String, seconds: Double) {
        lock.withLock { recorded.append(CompilePhase(name: name, seconds: seconds)) }
    }

    /// Runs `body`, recording its wall time as phase `name` on the current recorder, if any.
    static func measure<T>(_ name: String, _ body: () throws(KilnError) -> T) throws(KilnError) -> T {
        guard let recorder = current else { return try body() }
        let start = MonotonicClock.seconds()
        defer { recorder.record(name, seconds: MonotonicClock.seconds() - start) }
        return try body()
    }
}
