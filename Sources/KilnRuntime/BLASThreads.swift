import COpenBLAS
import KilnIR

/// The thread count OpenBLAS runs `cblas_sgemm` on (all cores unless `OPENBLAS_NUM_THREADS` or
/// `set` says otherwise). Generated loops run on the calling thread.
public enum BLASThreads {
    /// The name of the kernels OpenBLAS runs (`Haswell`, `Cooperlake`): its own choice for the
    /// processor unless `OPENBLAS_CORETYPE` forces one. Sgemm's speed depends on it.
    public static var core: String { String(cString: kiln_openblas_core()) }

    /// The current count.
    public static var count: Int { Int(kiln_openblas_threads()) }

    /// Sets the count (1 or more). Call it only while no other thread is inside OpenBLAS: the
    /// count is one process-wide variable that a running call reads while it splits its work, and
    /// OpenBLAS before 0.3.24 could write past its per-thread buffer table when the count grows
    /// (OpenMathLib/OpenBLAS#4101). Calling BLAS from several threads at once is safe.
    public static func set(_ count: Int) throws(KilnError) {
        guard (1...1024).contains(count) else { throw .invalidArgument("thread count \(count) is not between 1 and 1024") }
        kiln_openblas_set_threads(Int32(count))
    }
}
