import Foundation
import KilnIR
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Writing never destroys what a path names, and every failure says what is wrong with the path.
@Suite struct SafeFileTests {
    let folder: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-safefile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func fileType(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : 0
    }

    func message(_ body: () throws(KilnError) -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return error.description
        }
    }

    @Test func replacesARegularFileKeepingItsPermissions() throws {
        let path = folder + "/report.json"
        try "old contents".write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o640)
        try SafeFile.write("new", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
        var info = stat()
        stat(path, &info)
        #expect(info.st_mode & 0o777 == 0o640)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["report.json"])
    }

    @Test func writesThroughASymbolicLink() throws {
        let target = folder + "/target.csv", link = folder + "/link.csv"
        try "old".write(toFile: target, atomically: false, encoding: .utf8)
        symlink(target, link)
        try SafeFile.write("through the link", to: link)
        #expect(fileType(link) == S_IFLNK)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "through the link")

        let dangling = folder + "/dangling.svg", missing = folder + "/created-by-link.svg"
        symlink(missing, dangling)
        try SafeFile.write("<svg/>", to: dangling)
        #expect(fileType(dangling) == S_IFLNK)
        #expect(try String(contentsOfFile: missing, encoding: .utf8) == "<svg/>")
    }

    @Test func writesIntoAFIFOWithoutReplacingIt() throws {
        let fifo = folder + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        let received = Mutex()
        let reader = Thread {
            received.set(FileHandle(forReadingAtPath: fifo)?.readDataToEndOfFile() ?? Data())
        }
        reader.start()
        defer {
            // Never leave the reader blocked in open(): a writer that opens and closes releases it.
            let release = open(fifo, O_WRONLY | O_NONBLOCK)
            if release >= 0 { close(release) }
        }
        try SafeFile.write("through the pipe", to: fifo)
        // Bounded: a reader that never finishes fails the test instead of hanging the suite.
        for _ in 0..<10_000 where received.get() == nil { usleep(1000) }
        #expect(received.get() == Data("through the pipe".utf8))
        #expect(fileType(fifo) == S_IFIFO)
    }

    @Test func devicesAreWrittenNotReplaced() throws {
        try SafeFile.write("discarded", to: "/dev/null")
        #expect(fileType("/dev/null") == S_IFCHR)
        #expect(message { () throws(KilnError) in try SafeFile.write("x", to: "/dev/full") }
            == "/dev/full: cannot write: No space left on device")
        #expect(fileType("/dev/full") == S_IFCHR)
    }

    @Test func failedWritesAreErrors() throws {
        #expect(message { () throws(KilnError) in try SafeFile.write("x", to: folder) } == "\(folder): cannot write: it is a directory")
        #expect(fileType(folder) == S_IFDIR)
        let missingFolder = folder + "/no/such/folder/out.json"
        #expect(message { () throws(KilnError) in try SafeFile.write("x", to: missingFolder) }
            == "\(missingFolder): cannot write: No such file or directory")
        let file = folder + "/plain"
        try SafeFile.write("x", to: file)
        #expect(message { () throws(KilnError) in try SafeFile.write("x", to: file + "/child") }
            == "\(file)/child: cannot write: Not a directory")
        #expect(message { () throws(KilnError) in try SafeFile.createDirectory(file) }
            == "\(file): cannot create the folder: a regular file is there")
        let readOnly = folder + "/readonly"
        #expect(mkdir(readOnly, 0o500) == 0)
        if getuid() != 0 {  // root may write anywhere
            #expect(message { () throws(KilnError) in try SafeFile.write("x", to: readOnly + "/out.npy") }
                == "\(readOnly)/out.npy: cannot write: Permission denied")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: readOnly).isEmpty)
    }

    @Test func readingSaysWhatIsWrongWithThePath() throws {
        let empty = folder + "/empty.npy", fifo = folder + "/fifo.npy", big = folder + "/big.npy"
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        mkfifo(fifo, 0o600)
        try SafeFile.write(Data(repeating: 1, count: 100), to: big)
        let cases: [(String, String)] = [
            ("/dev/null", "/dev/null: cannot read: it is a character device, not a regular file"),
            ("/dev/zero", "/dev/zero: cannot read: it is a character device, not a regular file"),
            (folder, "\(folder): cannot read: it is a directory, not a regular file"),
            (fifo, "\(fifo): cannot read: it is a FIFO, not a regular file"),
            (empty, "\(empty): cannot read: the file is empty"),
            (folder + "/missing.npy", "\(folder)/missing.npy: cannot read: no such file"),
        ]
        for (path, expected) in cases {
            #expect(message { () throws(KilnError) in _ = try SafeFile.read(path) } == expected)
        }
        #expect(message { () throws(KilnError) in _ = try SafeFile.read(big, limit: 64) }
            == "\(big): cannot read: the file is 100 bytes, more than the 64 bytes Kiln reads")
        #expect(try SafeFile.read(big) == Data(repeating: 1, count: 100))
    }

    @Test func messagesEscapeControlCharacters() {
        let error = KilnError.invalidArgument("unexpected tensor '*/ evil \"name\"\n\r\u{1B}[2J\u{202E}'")
        #expect(error.description == "unexpected tensor '*/ evil \"name\"\\n\\r\\u{1B}[2J\\u{202E}'")
        #expect(KilnError.io(path: "a\tb", message: "cannot read").description == "a\\tb: cannot read")
    }
}

/// A value shared between the test and a reader thread.
private final class Mutex: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Data?

    func set(_ newValue: Data) { lock.withLock { value = newValue } }
    func get() -> Data? { lock.withLock { value } }
}
