import Foundation

/// The one notice per process that tiered compilation runs tcc code only, for want of a compiler.
enum TierNotice {
    private static let shown = LockedValue(false)

    /// Prints the notice to standard error the first time it is called.
    static func noCompiler() {
        let first = shown.withLock { shown in
            defer { shown = true }
            return !shown
        }
        guard first else { return }
        FileHandle.standardError.write(Data("note: \(NativeBackend.missingCompilerMessage); running tcc code only\n".utf8))
    }
}
