import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension SafeFile {
    /// The most bytes Kiln reads from one file: the machine's physical memory.
    public static var readLimit: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory) }

    /// Reads the whole regular file at `path`. A directory, a device, a FIFO, an empty file or one larger than
    /// `limit` bytes is an error that says so.
    public static func read(_ path: String, limit: Int = readLimit) throws(KilnError) -> Data {
        // O_NONBLOCK: opening a FIFO must not wait for a writer before it is refused.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            throw errno == ENOENT ? .io(path: path, message: "cannot read: no such file") : failure(path, "cannot read")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw failure(path, "cannot read") }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw .io(path: path, message: "cannot read: it is \(kindName(info.st_mode)), not a regular file")
        }
        let size = Int(info.st_size)
        guard size > 0 else { throw .io(path: path, message: "cannot read: the file is empty") }
        guard size <= limit else {
            throw .io(path: path, message: "cannot read: the file is \(size) bytes, more than the \(limit) bytes Kiln reads")
        }
        var data = Data(count: size)
        let count: Int = data.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < size {
                let count = Glibc.read(descriptor, buffer.baseAddress! + offset, size - offset)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return count < 0 ? -1 : offset }
                offset += count
            }
            return offset
        }
        guard count >= 0 else { throw failure(path, "cannot read") }
        return count == size ? data : data.prefix(count)
    }

    /// Reads the regular file at `path` as UTF-8 text.
    public static func readText(_ path: String, limit: Int = readLimit) throws(KilnError) -> String {
        let data = try read(path, limit: limit)
        guard let text = String(data: data, encoding: .utf8) else {
            throw .io(path: path, message: "cannot read: the file is not UTF-8 text")
        }
        return text
    }
}
