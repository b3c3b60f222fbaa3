import Foundation

/// What the process does around the OpenMP runtime that native code brings in (libgomp under gcc,
/// libomp under clang), so that loading and unloading native objects is safe and OpenMP's idle
/// threads leave the cores to OpenBLAS.
///
/// - Before the first native object is loaded, `OMP_WAIT_POLICY` becomes `PASSIVE` unless the
///   user set it: an OpenMP worker that finished a parallel loop then sleeps after a short spin
///   (`spinCount`) instead of spinning for milliseconds (OpenMP reads the variables once, when
///   its runtime loads).
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

    /// The policy in effect: the user's, or `PASSIVE` set here, with libgomp's workers spinning
    /// `spinCount` times first unless the user set `GOMP_SPINCOUNT`.
    static let waitPolicy: String = {
        if let policy = ProcessInfo.processInfo.environment["OMP_WAIT_POLICY"] { return policy }
        setenv("OMP_WAIT_POLICY", "PASSIVE", 0)
        setenv("GOMP_SPINCOUNT", spinCount, 0)
        return "PASSIVE"
    }()

    /// How many times an idle libgomp worker polls (about 0.1 ms) before it sleeps. A worker that
    /// sleeps at once is woken for the next parallel loop on the core of the thread that wakes it
    /// when the other cores are busy, and then waits there: LeNet's short loops at 2 threads ran
    /// no faster than at 1 on this loaded machine (1.08 ms), and 0.59 ms with the workers spinning
    /// this long. OpenBLAS runs on one thread under native code (`CPrelude.parallelGEMM`), so no
    /// OpenBLAS worker needs the core meanwhile.
    static let spinCount = "10000"

    /// The runtimes pinned so far.
    private static let state = LockedValue<Set<String>>([])
}
