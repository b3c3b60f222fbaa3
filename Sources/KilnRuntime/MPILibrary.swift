import Foundation
import KilnIR

/// Open MPI loaded at run time with `dlopen`, so Kiln builds and runs where no MPI is installed and
/// only `--distributed` needs it.
///
/// Only the few calls data-parallel training makes are resolved, by `dlsym`. The handles
/// (`MPI_COMM_WORLD`, `MPI_FLOAT`, `MPI_SUM`, ...) are, in Open MPI's ABI, the addresses of global
/// objects (`ompi_mpi_comm_world`, `ompi_mpi_float`, `ompi_mpi_op_sum`), resolved the same way.
public final class MPILibrary: @unchecked Sendable {
    typealias Handle = UnsafeMutableRawPointer
    /// An `MPI_Request`: in Open MPI's ABI a pointer to the request object.
    typealias Request = UnsafeMutableRawPointer
    private typealias InitThread = @convention(c) (
        UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?, Int32,
        UnsafeMutablePointer<Int32>?) -> Int32
    private typealias CommQuery = @convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32
    private typealias AllReduce = @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, Handle, Handle, Handle) -> Int32
    private typealias IAllReduce = @convention(c) (
        UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, Handle, Handle, Handle, UnsafeMutablePointer<Request?>) -> Int32
    private typealias Wait = @convention(c) (UnsafeMutablePointer<Request?>, UnsafeMutableRawPointer?) -> Int32
    private typealias Test = @convention(c) (UnsafeMutablePointer<Request?>, UnsafeMutablePointer<Int32>, UnsafeMutableRawPointer?) -> Int32
    private typealias Broadcast = @convention(c) (UnsafeMutableRawPointer?, Int32, Handle, Int32, Handle) -> Int32
    private typealias CommOnly = @convention(c) (Handle) -> Int32
    private typealias Abort = @convention(c) (Handle, Int32) -> Int32
    private typealias NoArguments = @convention(c) () -> Int32

    /// The libraries tried: `KILN_MPI_LIBRARY` (a path, for an Open MPI installed elsewhere) when
    /// set, else Open MPI's soname and the development link.
    static var candidates: [String] {
        ProcessInfo.processInfo.environment["KILN_MPI_LIBRARY"].map { [$0] } ?? ["libmpi.so.40", "libmpi.so"]
    }
    /// What to install when none loads.
    public static let installHint = "install Open MPI (Debian/Ubuntu: apt-get install libopenmpi-dev openmpi-bin, or `make deps`)"

    private let initThread: InitThread
    private let commRank: CommQuery
    private let commSize: CommQuery
    private let allReduce: AllReduce
    private let iAllReduce: IAllReduce
    private let waitCall: Wait
    private let testCall: Test
    private let broadcast: Broadcast
    private let barrier: CommOnly
    private let abortCall: Abort
    private let finalizeCall: NoArguments
    /// `MPI_COMM_WORLD`, `MPI_FLOAT`, `MPI_DOUBLE`, `MPI_SUM`, `MPI_MIN`, `MPI_MAX`.
    let world: Handle, float: Handle, double: Handle, sum: Handle, min: Handle, max: Handle

    /// Loads libmpi; a missing library or symbol throws one error with the install hint.
    public init() throws(KilnError) {
        var handle: UnsafeMutableRawPointer?
        var reasons: [String] = []
        for name in MPILibrary.candidates where handle == nil {
            // RTLD_GLOBAL: Open MPI's own plugins resolve libmpi's symbols against the process.
            handle = dlopen(name, RTLD_NOW | RTLD_GLOBAL)
            if handle == nil { reasons.append(dlerror().map { String(cString: $0) } ?? name) }
        }
        guard let handle else {
            throw .runtime("--distributed needs Open MPI's libmpi.so.40, which cannot be loaded (\(reasons.first ?? "")); \(MPILibrary.installHint)")
        }
        func lookup(_ name: String) throws(KilnError) -> UnsafeMutableRawPointer {
            guard let address = dlsym(handle, name) else {
                throw .runtime("the loaded libmpi lacks '\(name)' (Kiln needs Open MPI's ABI); \(MPILibrary.installHint)")
            }
            return address
        }
        initThread = unsafeBitCast(try lookup("MPI_Init_thread"), to: InitThread.self)
        commRank = unsafeBitCast(try lookup("MPI_Comm_rank"), to: CommQuery.self)
        commSize = unsafeBitCast(try lookup("MPI_Comm_size"), to: CommQuery.self)
        allReduce = unsafeBitCast(try lookup("MPI_Allreduce"), to: AllReduce.self)
        iAllReduce = unsafeBitCast(try lookup("MPI_Iallreduce"), to: IAllReduce.self)
        waitCall = unsafeBitCast(try lookup("MPI_Wait"), to: Wait.self)
        testCall = unsafeBitCast(try lookup("MPI_Test"), to: Test.self)
        broadcast = unsafeBitCast(try lookup("MPI_Bcast"), to: Broadcast.self)
        barrier = unsafeBitCast(try lookup("MPI_Barrier"), to: CommOnly.self)
        abortCall = unsafeBitCast(try lookup("MPI_Abort"), to: Abort.self)
        finalizeCall = unsafeBitCast(try lookup("MPI_Finalize"), to: NoArguments.self)
        world = try lookup("ompi_mpi_comm_world")
        float = try lookup("ompi_mpi_float")
        double = try lookup("ompi_mpi_double")
        sum = try lookup("ompi_mpi_op_sum")
        min = try lookup("ompi_mpi_op_min")
        max = try lookup("ompi_mpi_op_max")
    }

    /// `MPI_IN_PLACE` in Open MPI.
    private static var inPlace: UnsafeRawPointer? { UnsafeRawPointer(bitPattern: 1) }

    /// `MPI_Init_thread` with `MPI_THREAD_FUNNELED`: only the thread that initialized calls MPI.
    func initialize() throws(KilnError) {
        var provided: Int32 = 0
        try check(initThread(nil, nil, 1, &provided), "MPI_Init_thread")
    }

    /// This process's rank and the number of ranks in `MPI_COMM_WORLD`.
    func rankAndSize() throws(KilnError) -> (rank: Int, size: Int) {
        var rank: Int32 = 0
        var size: Int32 = 0
        try check(commRank(world, &rank), "MPI_Comm_rank")
        try check(commSize(world, &size), "MPI_Comm_size")
        return (Int(rank), Int(size))
    }

    /// In-place `MPI_Allreduce` of `count` elements of `type` under `op`.
    func allReduceInPlace(_ buffer: UnsafeMutableRawPointer, count: Int, type: Handle, op: Handle) throws(KilnError) {
        try check(allReduce(MPILibrary.inPlace, buffer, Int32(count), type, op, world), "MPI_Allreduce")
    }

    /// In-place `MPI_Iallreduce` of `count` floats under `MPI_SUM`: the request to wait for.
    func startSumInPlace(_ buffer: UnsafeMutableRawPointer, count: Int) throws(KilnError) -> Request? {
        var request: Request?
        try check(iAllReduce(MPILibrary.inPlace, buffer, Int32(count), float, sum, world, &request), "MPI_Iallreduce")
        return request
    }

    /// `MPI_Wait` on `request` (then the null request).
    func wait(_ request: inout Request?) throws(KilnError) {
        try check(waitCall(&request, nil), "MPI_Wait")
    }

    /// `MPI_Test` on `request`: whether it has completed (then it is the null request). Each call
    /// also progresses every pending operation of this process.
    func test(_ request: inout Request?) throws(KilnError) -> Bool {
        var flag: Int32 = 0
        try check(testCall(&request, &flag, nil), "MPI_Test")
        return flag != 0
    }

    /// `MPI_Bcast` of `count` floats from `root`.
    func broadcastFloats(_ buffer: UnsafeMutableRawPointer, count: Int, root: Int) throws(KilnError) {
        try check(broadcast(buffer, Int32(count), float, Int32(root), world), "MPI_Bcast")
    }

    /// `MPI_Barrier` on `MPI_COMM_WORLD`.
    func synchronize() throws(KilnError) { try check(barrier(world), "MPI_Barrier") }

    /// `MPI_Abort`: ends every rank of the job with `code`.
    func abort(code: Int32) { _ = abortCall(world, code) }

    /// `MPI_Finalize`.
    func finalize() { _ = finalizeCall() }

    private func check(_ status: Int32, _ call: String) throws(KilnError) {
        if status != 0 { throw .runtime("\(call) failed with MPI error \(status)") }
    }
}
