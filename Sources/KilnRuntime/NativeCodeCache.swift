import Foundation
import KilnIR

/// A content-addressed folder of compiled shared objects: `KEY.so`, and beside it `KEY.sum`
/// holding the object's SHA-256 and size, written after the object. An entry is loaded only when
/// both are regular files and the object matches its sum; anything else is a miss, rebuilt.
///
/// Entries are written through `SafeFile` (a temporary name in the same folder, renamed into place),
/// so two processes filling one entry at once each rename a complete file; a path that is not a
/// regular file (a symbolic link, a FIFO, a folder) is never replaced nor read. Names that start
/// with a dot are temporary files (the compiler's output, `SafeFile`'s), removed after an hour. The modification time is the
/// last use: after each store, the least recently used entries go until the folder fits `maxBytes`.
public struct NativeCodeCache: Sendable {
    /// The folder.
    public let directory: String
    /// The most bytes the entries may take together.
    public let maxBytes: Int

    /// The default bound: 512 MiB, or `KILN_CACHE_MAX_BYTES`.
    public static func defaultMaxBytes(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        environment["KILN_CACHE_MAX_BYTES"].flatMap { Int($0) }.map { max($0, 0) } ?? 512 << 20
    }

    /// The cache at `$KILN_CACHE_DIR`, else `$XDG_CACHE_HOME/kiln/native`, else `~/.cache/kiln/native`;
    /// nil when none of these is set.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> NativeCodeCache? {
        let directory: String
        if let path = environment["KILN_CACHE_DIR"], !path.isEmpty {
            directory = path
        } else if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") {
            directory = cache + "/kiln/native"
        } else if let home = environment["HOME"], !home.isEmpty {
            directory = home + "/.cache/kiln/native"
        } else {
            return nil
        }
        return NativeCodeCache(directory: directory, maxBytes: defaultMaxBytes(environment: environment))
    }

    /// Creates a cache over `directory` bounded by `maxBytes`.
    public init(directory: String, maxBytes: Int) {
        self.directory = directory
        self.maxBytes = maxBytes
    }

    /// The object's path for `key`.
    public func objectPath(_ key: String) -> String { directory + "/" + key + ".so" }
    /// The checksum's path for `key`.
    public func sumPath(_ key: String) -> String { directory + "/" + key + ".sum" }

    /// The path of a verified entry for `key`, its use recorded; nil when there is none or it is
    /// damaged (truncated, altered, half written, not a regular file).
    public func lookUp(_ key: String) -> String? {
        let object = objectPath(key), sum = sumPath(key)
        guard Self.isRegularFile(object), Self.isRegularFile(sum),
              let expected = try? SafeFile.readText(sum), let bytes = try? SafeFile.read(object),
              expected == Self.checksum(bytes) else { return nil }
        try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: object)
        return object
    }

    /// A fresh temporary path in the folder (created if needed) with `suffix`; nil when the
    /// folder cannot be made.
    public func temporaryPath(suffix: String) -> String? {
        guard (try? SafeFile.createDirectory(directory)) != nil else { return nil }
        return directory + "/.tmp-\(getpid())-\(UUID().uuidString)" + suffix
    }

    /// Copies the finished object at `temporary` (which stays for the caller to remove) into the
    /// entry `key`, then writes its checksum; returns the entry's path, or nil when the entry's
    /// place holds something that is not a regular file or a write failed.
    public func store(_ key: String, from temporary: String) -> String? {
        let object = objectPath(key), sum = sumPath(key)
        guard let bytes = try? SafeFile.read(temporary), Self.isRegularOrAbsent(object), Self.isRegularOrAbsent(sum),
              (try? SafeFile.write(bytes, to: object)) != nil,
              (try? SafeFile.write(Self.checksum(bytes), to: sum)) != nil else { return nil }
        evict(keeping: key)
        return object
    }

    /// Removes the least recently used entries (and temporary files older than an hour) until the
    /// entries take at most `maxBytes`; `key` stays.
    func evict(keeping key: String) {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: directory) else { return }
        var entries: [(key: String, bytes: Int, used: Date)] = []
        var total = 0
        for name in names {
            let path = directory + "/" + name
            guard let attributes = try? manager.attributesOfItem(atPath: path),
                  attributes[.type] as? FileAttributeType == .typeRegular else { continue }
            let bytes = (attributes[.size] as? Int) ?? 0, modified = (attributes[.modificationDate] as? Date) ?? .distantPast
            if name.hasPrefix(".") {
                if modified.timeIntervalSinceNow < -3600 { unlink(path) }
                continue
            }
            if name.hasSuffix(".sum") {
                total += bytes
            } else if name.hasSuffix(".so") {
                total += bytes
                entries.append((String(name.dropLast(3)), bytes, modified))
            }
        }
        for entry in entries.sorted(by: { $0.used < $1.used }) where total > maxBytes && entry.key != key {
            unlink(objectPath(entry.key))
            unlink(sumPath(entry.key))
            total -= entry.bytes
        }
    }

    /// The checksum line of `bytes`: SHA-256 and size.
    static func checksum(_ bytes: Data) -> String { "sha256 \(SHA256.hex(bytes)) bytes \(bytes.count)\n" }

    static func isRegularFile(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }

    private static func isRegularOrAbsent(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) != 0 ? errno == ENOENT : (status.st_mode & S_IFMT) == S_IFREG
    }
}
