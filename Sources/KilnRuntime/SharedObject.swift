import Foundation
import KilnIR

/// A shared object loaded with `dlopen` (`RTLD_NOW`, so every undefined symbol resolves at load,
/// against the process: OpenBLAS's `cblas_sgemm`, libm), unloaded when released.
///
/// The OpenMP runtime an object brings in (`libgomp`, linked by `-fopenmp`) is pinned for the life
/// of the process: its worker threads outlive the parallel loops that started them, so unloading it
/// with the last object that uses it would leave them running unmapped code (a crash as soon as one
/// wakes, seen when `--tune` releases its native candidate programs one after another).
final class SharedObject: LoadedModule, @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer

    /// Loads the shared object at `path`.
    init(path: String) throws(KilnError) {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown reason"
            throw .runtime("cannot load the compiled code \(path): \(reason)")
        }
        self.handle = handle
        _ = dlopen("libgomp.so.1", RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE)
    }

    deinit { dlclose(handle) }

    func symbol(_ name: String) -> UnsafeRawPointer? {
        dlsym(handle, name).map { UnsafeRawPointer($0) }
    }
}
