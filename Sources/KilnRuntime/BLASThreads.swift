import COpenBLAS
import Foundation
import KilnIR

/// The thread count OpenBLAS runs `cblas_sgemm` on (all cores unless `OPENBLAS_NUM_THREADS` or
/// `set` says otherwise), and the one thread setting of Kiln: executables run their OpenMP loops
/// and OpenBLAS on `defaultCount` threads unless told otherwise (`Executable.threads`).
public enum BLASThreads {
    /// The name of the kernels OpenBLAS runs (`Haswell`, `Cooperlake`): its own choice for the
    /// processor unless `OPENBLAS_CORETYPE` forces one. Sgemm's speed depends on it.
    public static var core: String { String(cString: kiln_openblas_core()) }

    /// The thread counts Kiln accepts.
    public static let allowedCounts = 1...1024

    /// The current count.
    public static var count: Int { Int(kiln_openblas_threads()) }

    /// Sets the count (1 or more), once no executable's call is running: the count is one
    /// process-wide variable that a running call reads while it splits its work, and OpenBLAS
    /// before 0.3.24 could write past its per-thread buffer table when the count grows
    /// (OpenMathLib/OpenBLAS#4101). Every call of Kiln's that may enter OpenBLAS holds
    /// `BLASCallGate` with the count it wants, and the count changes only between such calls.
    /// Calling BLAS from several threads at once is safe.
    public static func set(_ count: Int) throws(KilnError) {
        try validate(count)
        BLASCallGate.shared.change(to: count)
    }

    /// The thread count a new executable starts with: the last `setDefault`, else
    /// `KILN_NUM_THREADS`, else OpenBLAS's count.
    public static var defaultCount: Int {
        chosen.withLock { $0 } ?? environmentCount ?? count
    }

    /// Makes `count` the thread count of executables created from now on, and OpenBLAS's.
    public static func setDefault(_ count: Int) throws(KilnError) {
        try set(count)
        chosen.withLock { $0 = count }
    }

    /// `KILN_NUM_THREADS` when it holds a valid count.
    static var environmentCount: Int? {
        ProcessInfo.processInfo.environment["KILN_NUM_THREADS"].flatMap { Int($0) }.flatMap { allowedCounts.contains($0) ? $0 : nil }
    }

    /// Checks a thread count.
    static func validate(_ count: Int) throws(KilnError) {
        guard allowedCounts.contains(count) else {
            throw .invalidArgument("thread count \(count) is not between \(allowedCounts.lowerBound) and \(allowedCounts.upperBound)")
        }
    }

    private static let chosen = LockedValue<Int?>(nil)
}

/// A value behind a lock.
final class LockedValue<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
