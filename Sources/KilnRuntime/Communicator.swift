import Foundation
import KilnIR
import Synchronization

/// The ranks of one data-parallel job, over MPI: averaging of gradients, broadcast of the initial
/// state, and the time and bytes of the exchanges.
///
/// One communicator per process (MPI is initialized once). The compiled training step reaches it
/// through `kiln_collective_hook` (see `CollectiveHook`); every rank calls the collectives in the
/// same order. A collective that has not finished after `timeout` seconds (a rank died or hangs)
/// ends this process with an error, so a job never blocks forever.
public final class Communicator: @unchecked Sendable {
    /// This process's rank, 0 to `size - 1`.
    public let rank: Int
    /// The number of ranks.
    public let size: Int
    /// Seconds a collective may take before the job is declared broken.
    public let timeout: Double
    private let mpi: MPILibrary
    private let state = Mutex(ExchangeTotals())
    /// When the collective in flight started (monotonic nanoseconds), 0 when none is.
    private let inFlightSince = Atomic<UInt64>(0)
    /// The exchanges started and not yet waited for, in the order they started.
    private let pending = Mutex<[PendingExchange]>([])
    private let polling = Atomic<Bool>(false)

    /// An exchange `startMean` began: its buffer (which names it), request and size. Only the
    /// thread that initialized MPI touches them (MPI_THREAD_FUNNELED).
    private struct PendingExchange: @unchecked Sendable {
        let buffer: UnsafeMutablePointer<Float>
        let count: Int
        var request: MPILibrary.Request?
        var complete = false
    }

    /// Whether the compiled step tests the oldest exchange in flight between kernels (`MPI_Test`),
    /// which lets Open MPI progress it: Open MPI advances non-blocking collectives only inside
    /// MPI calls. Off by default.
    public var pollsBetweenKernels: Bool {
        get { polling.load(ordering: .relaxed) }
        set { polling.store(newValue, ordering: .relaxed) }
    }

    /// Seconds spent in, and bytes sent through, the gradient exchanges.
    public struct ExchangeTotals: Sendable {
        /// Seconds inside the exchange calls (`MPI_Allreduce`; `MPI_Iallreduce`, `MPI_Test` and
        /// `MPI_Wait` when overlapped) and the averaging, including the wait for the other ranks.
        public var seconds = 0.0
        /// Bytes of the buffers all-reduced.
        public var bytes = 0
        /// Number of all-reduce calls.
        public var calls = 0
        /// The part of `seconds` spent finishing overlapped exchanges (`MPI_Wait`, after the
        /// backward pass), which is what overlap and progress can shrink.
        public var finishSeconds = 0.0
    }

    nonisolated(unsafe) private static var shared: Communicator?
    private static let creation = Mutex(false)

    /// Initializes MPI (loading libmpi) and returns the process's communicator; later calls return
    /// the same one.
    public static func world(timeout: Double = 60) throws(KilnError) -> Communicator {
        try creation.withLock { (_: inout Bool) throws(KilnError) -> Communicator in
            if let shared { return shared }
            let mpi = try MPILibrary()
            try mpi.initialize()
            let (rank, size) = try mpi.rankAndSize()
            let communicator = Communicator(mpi: mpi, rank: rank, size: size, timeout: timeout)
            shared = communicator
            CollectiveHook.install(communicator)
            communicator.startWatchdog()
            return communicator
        }
    }

    private init(mpi: MPILibrary, rank: Int, size: Int, timeout: Double) {
        self.mpi = mpi
        self.rank = rank
        self.size = size
        self.timeout = timeout
    }

    /// The exchange totals so far.
    public var totals: ExchangeTotals { state.withLock { $0 } }

    /// Replaces `count` floats at `buffer` by their mean over the ranks, in place.
    public func allReduceMean(_ buffer: UnsafeMutablePointer<Float>, count: Int) throws(KilnError) {
        try timed(bytes: count * MemoryLayout<Float>.size) { () throws(KilnError) in
            try guarded { () throws(KilnError) in
                try mpi.allReduceInPlace(UnsafeMutableRawPointer(buffer), count: count, type: mpi.float, op: mpi.sum)
            }
            scaleToMean(buffer, count: count, into: buffer)
        }
    }

    /// Starts summing `count` floats at `buffer` over the ranks, in place (`MPI_Iallreduce`);
    /// `finishMean(buffer, into:)` completes it. The buffer must stay untouched until then. Every
    /// rank starts its exchanges in the same order.
    public func startMean(_ buffer: UnsafeMutablePointer<Float>, count: Int) throws(KilnError) {
        try timed(bytes: count * MemoryLayout<Float>.size) { () throws(KilnError) in
            let request = try mpi.startSumInPlace(UnsafeMutableRawPointer(buffer), count: count)
            pending.withLock { $0.append(PendingExchange(buffer: buffer, count: count, request: request)) }
        }
    }

    /// Waits for the exchange started on `buffer` and writes the mean to `result` (which may be
    /// `buffer`).
    public func finishMean(_ buffer: UnsafeMutablePointer<Float>, into result: UnsafeMutablePointer<Float>) throws(KilnError) {
        try timed(bytes: 0, finishing: true) { () throws(KilnError) in
            guard let index = pending.withLock({ $0.firstIndex { $0.buffer == buffer } }) else {
                throw .runtime("allreduce_wait on a buffer no allreduce_start began an exchange of")
            }
            var exchange = pending.withLock { $0.remove(at: index) }
            if !exchange.complete {
                try guarded { () throws(KilnError) in try mpi.wait(&exchange.request) }
            }
            scaleToMean(buffer, count: exchange.count, into: result)
        }
    }

    /// With `pollsBetweenKernels`, tests the oldest exchange in flight, which progresses them all.
    public func progress() throws(KilnError) {
        guard pollsBetweenKernels, pending.withLock({ $0.contains { !$0.complete } }) else { return }
        try timed(bytes: 0) { () throws(KilnError) in
            guard let index = pending.withLock({ $0.firstIndex { !$0.complete } }) else { return }
            var request = pending.withLock { $0[index].request }
            let complete = try mpi.test(&request)
            pending.withLock {
                $0[index].request = request
                $0[index].complete = complete
            }
        }
    }

    /// `result` = `buffer` / size, the mean of the sums over the ranks.
    private func scaleToMean(_ buffer: UnsafeMutablePointer<Float>, count: Int, into result: UnsafeMutablePointer<Float>) {
        let scale = 1 / Float(size)
        for index in 0..<count { result[index] = buffer[index] * scale }
    }

    /// Runs an exchange call, adding its time (and `bytes`, and one all-reduce when bytes move) to
    /// the totals; `finishing` an overlapped one, to `finishSeconds` too.
    private func timed(bytes: Int, finishing: Bool = false, _ body: () throws(KilnError) -> Void) throws(KilnError) {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        state.withLock {
            $0.seconds += seconds
            if finishing { $0.finishSeconds += seconds }
            $0.bytes += bytes
            if bytes > 0 { $0.calls += 1 }
        }
    }

    /// The mean of `values` over the ranks (a step's loss: its time counts in the totals, its
    /// bytes, not gradients, do not).
    public func mean(_ values: [Float]) throws(KilnError) -> [Float] {
        var copy = values
        try timed(bytes: 0) { () throws(KilnError) in
            try copy.withUnsafeMutableBufferPointer { (buffer) throws(KilnError) in
                guard let base = buffer.baseAddress else { return }
                try guarded { () throws(KilnError) in
                    try mpi.allReduceInPlace(UnsafeMutableRawPointer(base), count: buffer.count, type: mpi.float, op: mpi.sum)
                }
            }
        }
        return copy.map { $0 / Float(size) }
    }

    /// The smallest and largest of `value` over the ranks.
    public func range(_ value: Double) throws(KilnError) -> (min: Double, max: Double) {
        var low = value
        var high = value
        try guarded { () throws(KilnError) in
            try mpi.allReduceInPlace(&low, count: 1, type: mpi.double, op: mpi.min)
            try mpi.allReduceInPlace(&high, count: 1, type: mpi.double, op: mpi.max)
        }
        return (low, high)
    }

    /// Rank 0's `values`, on every rank.
    public func broadcast(_ values: [Float]) throws(KilnError) -> [Float] {
        var copy = values
        try copy.withUnsafeMutableBufferPointer { (buffer) throws(KilnError) in
            guard let base = buffer.baseAddress else { return }
            try guarded { () throws(KilnError) in try mpi.broadcastFloats(UnsafeMutableRawPointer(base), count: buffer.count, root: 0) }
        }
        return copy
    }

    /// Waits until every rank gets here.
    public func barrier() throws(KilnError) { try guarded { () throws(KilnError) in try mpi.synchronize() } }

    /// Ends every rank of the job after `message` (printed as an `error:` line by this rank).
    public func abort(_ message: String) -> Never {
        FileHandle.standardError.write(Data("error: rank \(rank): \(message)\n".utf8))
        mpi.abort(code: 1)
        exit(1)
    }

    /// Shuts MPI down; call once, at the end of the run, on every rank.
    public func finalize() {
        inFlightSince.store(0, ordering: .relaxed)
        mpi.finalize()
    }

    /// Runs a collective with the watchdog armed.
    private func guarded(_ body: () throws(KilnError) -> Void) throws(KilnError) {
        inFlightSince.store(max(DispatchTime.now().uptimeNanoseconds, 1), ordering: .relaxed)
        defer { inFlightSince.store(0, ordering: .relaxed) }
        try body()
    }

    /// A thread that ends the process when a collective outlasts `timeout` (another rank died or
    /// hangs, and MPI did not notice).
    private func startWatchdog() {
        let thread = Thread { [self] in
            while true {
                Thread.sleep(forTimeInterval: min(1, timeout / 4))
                let since = inFlightSince.load(ordering: .relaxed)
                guard since != 0 else { continue }
                let waited = Double(DispatchTime.now().uptimeNanoseconds - since) / 1e9
                if waited > timeout {
                    FileHandle.standardError.write(Data((
                        "error: rank \(rank): a collective has waited \(Int(waited)) s for the other ranks (limit \(Int(timeout)) s); "
                            + "a rank died or hangs, stopping\n").utf8))
                    _exit(1)
                }
            }
        }
        thread.start()
    }
}
