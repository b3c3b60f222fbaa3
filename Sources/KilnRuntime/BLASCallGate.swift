import COpenBLAS
import Foundation

/// The rule that keeps OpenBLAS's one process-wide thread count safe while executables run in
/// parallel: every call that may enter OpenBLAS (a run of generated code, the machine benchmark's
/// sgemm) holds the gate for its whole duration with the count it wants, and the count changes
/// only while no call holds the gate. Calls that want the current count run together; a call that
/// wants another count waits until the running calls end, and calls arriving meanwhile with the
/// old count wait behind it, so a change is never starved. The count is set only when it changes.
final class BLASCallGate: @unchecked Sendable {
    /// The process's gate: OpenBLAS has one thread count.
    static let shared = BLASCallGate()

    private let condition = NSCondition()
    /// Calls inside the gate.
    private var running = 0
    /// OpenBLAS's count, as last set through the gate (read from OpenBLAS at first).
    private var current = Int(kiln_openblas_threads())
    /// The count each waiting call wants.
    private var waiting: [Int] = []

    /// Runs `body` with OpenBLAS on `threads` threads and no change of the count until it returns.
    func withCall<Result, Failure: Error>(threads: Int, _ body: () throws(Failure) -> Result) throws(Failure) -> Result {
        enter(threads: threads)
        defer { leave() }
        return try body()
    }

    /// Sets the count once no call is running (the count of the calls that follow by default).
    func change(to threads: Int) {
        enter(threads: threads)
        leave()
    }

    /// Waits until OpenBLAS runs on `threads` threads, changing the count when no call is running.
    private func enter(threads: Int) {
        condition.lock()
        defer { condition.unlock() }
        var registered = false
        while true {
            if current == threads && !waiting.contains(where: { $0 != threads }) { break }
            if current != threads && running == 0 {
                kiln_openblas_set_threads(Int32(threads))
                current = threads
                condition.broadcast()
                break  // the call that changed the count enters first, or two counts could alternate forever
            }
            if !registered {
                waiting.append(threads)
                registered = true
            }
            condition.wait()
        }
        if registered, let index = waiting.firstIndex(of: threads) { waiting.remove(at: index) }
        running += 1
    }

    private func leave() {
        condition.lock()
        defer { condition.unlock() }
        running -= 1
        condition.broadcast()
    }
}
