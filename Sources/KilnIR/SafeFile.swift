import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Every file Kiln writes or reads goes through here, so that a path the user names is never destroyed and
/// every failure is a `KilnError.io` that says what is wrong with the path.
///
/// Writing follows what the path is: a regular file (or a symbolic link to one) is replaced atomically
/// by a new file in the same folder, keeping its permissions; a missing path is created; a FIFO, a device
/// or a dangling symbolic link is written through in place, as a shell's `>` would; a directory is refused.
/// A non-regular file is never replaced by a regular one, and a failed write (a full device, a denied
/// permission) is reported, never ignored.
public enum SafeFile {
    /// Writes `data` to `path`.
    public static func write(_ data: Data, to path: String) throws(KilnError) {
        try write(parts: [data], to: path)
    }

    /// Writes the concatenation of `parts` to `path` without building it (a header, then a
    /// tensor's bytes where they are).
    public static func write(parts data: [Data], to path: String) throws(KilnError) {
        guard !path.isEmpty else { throw .io(path: path, message: "cannot write: the path is empty") }
        var target = stat()
        if stat(path, &target) != 0 {
            let missing = errno == ENOENT
            var link = stat()
            guard missing else { throw failure(path, "cannot write") }
            if lstat(path, &link) == 0 {  // a dangling symbolic link: create what it names
                try writeInPlace(data, to: path, flags: O_CREAT | O_TRUNC)
            } else {
                try replace(path, with: data, mode: nil, reportedAs: path)
            }
            return
        }
        switch target.st_mode & S_IFMT {
        case S_IFDIR:
            throw .io(path: path, message: "cannot write: it is a directory")
        case S_IFREG:
            guard access(path, W_OK) == 0 else { throw failure(path, "cannot write") }
            let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            try replace(resolved, with: data, mode: target.st_mode & 0o7777, reportedAs: path)
        default:
            try writeInPlace(data, to: path, flags: 0)
        }
    }

    /// Writes `text` as UTF-8 to `path`.
    public static func write(_ text: String, to path: String) throws(KilnError) {
        try write(Data(text.utf8), to: path)
    }

    /// Creates the folder `path` and any missing parents; a folder already there is fine, anything else
    /// there is an error.
    public static func createDirectory(_ path: String) throws(KilnError) {
        guard !path.isEmpty else { throw .io(path: path, message: "cannot create the folder: the path is empty") }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o777) != 0, errno != EEXIST { throw failure(path, "cannot create the folder") }
            prefix += "/"
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw failure(path, "cannot create the folder") }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw .io(path: path, message: "cannot create the folder: \(kindName(info.st_mode)) is there")
        }
    }

    /// Writes `data` to a new file beside `target`, then renames it over `target`.
    private static func replace(_ target: String, with data: [Data], mode: mode_t?, reportedAs path: String) throws(KilnError) {
        let url = URL(fileURLWithPath: target)
        let folder = url.deletingLastPathComponent().path
        var temporary = ""
        var descriptor: Int32 = -1
        for _ in 0..<16 where descriptor < 0 {
            temporary = folder + "/." + url.lastPathComponent + ".kiln-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
            descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if descriptor < 0, errno != EEXIST { throw failure(path, "cannot write") }
        }
        guard descriptor >= 0 else { throw failure(path, "cannot write") }
        do throws(KilnError) {
            if let mode, fchmod(descriptor, mode) != 0 { throw failure(path, "cannot write") }
            try writeAll(data, to: descriptor, path: path)
            guard close(descriptor) == 0 else {
                descriptor = -1
                throw failure(path, "cannot write")
            }
            descriptor = -1
            guard rename(temporary, target) == 0 else { throw failure(path, "cannot write") }
        } catch {
            if descriptor >= 0 { close(descriptor) }
            unlink(temporary)
            throw error
        }
    }

    /// Opens `path` for writing as it is (a FIFO, a device, what a dangling link names) and writes `data`.
    private static func writeInPlace(_ data: [Data], to path: String, flags: Int32) throws(KilnError) {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC | flags, 0o666)
        guard descriptor >= 0 else { throw failure(path, "cannot write") }
        do throws(KilnError) {
            try writeAll(data, to: descriptor, path: path)
        } catch {
            close(descriptor)
            throw error
        }
        guard close(descriptor) == 0 else { throw failure(path, "cannot write") }
    }

    private static func writeAll(_ parts: [Data], to descriptor: Int32, path: String) throws(KilnError) {
        for data in parts {
            let written: Int = data.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let count = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if count < 0, errno == EINTR { continue }
                    guard count > 0 else { return count < 0 ? -1 : offset }
                    offset += count
                }
                return offset
            }
            if written < 0 { throw failure(path, "cannot write") }
            if written < data.count { throw .io(path: path, message: "cannot write: only \(written) of \(data.count) bytes were written") }
        }
    }

    /// `cannot write: No space left on device`, from `errno`.
    static func failure(_ path: String, _ action: String) -> KilnError {
        .io(path: path, message: "\(action): \(String(cString: strerror(errno)))")
    }

    /// `a directory`, `a character device`, ... for a `st_mode`.
    static func kindName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "a directory"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        case S_IFLNK: "a symbolic link"
        default: "a regular file"
        }
    }
}
