import Foundation
import KilnIR

/// A shared object loaded with `dlopen` (`RTLD_NOW`, so every undefined symbol resolves at load,
/// against the process: OpenBLAS's `cblas_sgemm`, libm), unloaded when released. The OpenMP
/// runtime an object brings in stays loaded (`OpenMPRuntime`).
final class SharedObject: LoadedModule, @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer

    /// Loads the shared object at `path`.
    init(path: String) throws(KilnError) {
        OpenMPRuntime.prepareToLoad()
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown reason"
            throw .runtime("cannot load the compiled code \(path): \(reason)")
        }
        self.handle = handle
        OpenMPRuntime.pinLoadedRuntimes()
    }

    deinit { dlclose(handle) }

    func symbol(_ name: String) -> UnsafeRawPointer? {
        dlsym(handle, name).map { UnsafeRawPointer($0) }
    }
}
