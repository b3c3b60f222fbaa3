import Foundation

/// What the process does around the OpenMP runtime that native code brings in (libgomp under gcc,
/// libomp under clang), so that loading and unloading native objects is safe and OpenMP's idle
/// threads leave the cores to OpenBLAS.
///
/// - Before the first native object is loaded, `OMP_WAIT_POLICY` becomes `PASSIVE` unless the
///   user set it: an OpenMP worker that finished a parallel loop then sleeps at once instead of
///   spinning for milliseconds on the core the next `cblas_sgemm`'s threads need (OpenMP reads
///   the variable once, when its runtime loads).
/// - After a native object is loaded, the OpenMP runtime it pulled in is marked
///   never-to-be-unloaded (`RTLD_NODELETE`): unloading the last object that uses it would unmap
///   the code its idle worker threads sleep in.
enum OpenMPRuntime {
    /// The sonames of the OpenMP runtimes gcc and clang link.
    static let libraries = ["libgomp.so.1", "libomp.so", "libomp.so.5"]

    /// Sets `OMP_WAIT_POLICY=PASSIVE` once, unless the environment already names a policy.
    static func prepareToLoad() {
        _ = waitPolicy
    }

    /// Pins every OpenMP runtime that is loaded now (a no-op for those that are not).
    static func pinLoadedRuntimes() {
        state.withLock { pinned in
            for library in libraries where !pinned.contains(library) {
                if dlopen(library, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE) != nil { pinned.insert(library) }
            }
        }
    }

    /// The policy in effect: the user's, or `PASSIVE` set here.
    static let waitPolicy: String = {
        if let policy = ProcessInfo.processInfo.environment["OMP_WAIT_POLICY"] { return policy }
        setenv("OMP_WAIT_POLICY", "PASSIVE", 0)
        return "PASSIVE"
    }()

    /// The runtimes pinned so far.
    private static let state = LockedValue<Set<String>>([])
}
