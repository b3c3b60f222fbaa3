import Foundation
import Kiln
import Testing

/// `kiln train --distributed` under `mpirun -np 2` on this machine, once over shared memory and once
/// forced onto TCP as between hosts. Every run has its own time limit, so a hang fails the test
/// instead of blocking the suite. `make test` installs Open MPI (`make deps`); without `mpirun`
/// the tests are skipped, saying why.
@Suite(.enabled(if: installedMPIRun != nil, "mpirun is not installed (make deps installs openmpi-bin)"))
struct DistributedTrainingTests {
    static var mpirun: String? { installedMPIRun }

    /// How the two ranks talk.
    enum Transport: String, CaseIterable, Sendable {
        case sharedMemory, tcp
        var arguments: [String] { self == .tcp ? ["--mca", "btl", "tcp,self"] : [] }
    }

    struct Run {
        var status: Int32
        var output: String
        var error: String
        var seconds: Double
    }

    static var kiln: URL { Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("kiln") }

    /// Runs `executable` with `arguments`, killed after `timeout` seconds; `whileRunning` gets the
    /// process once it started.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], timeout: Double = 120,
        whileRunning: ((Process) -> Void)? = nil
    ) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-mpi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let outputPath = directory.appendingPathComponent("out"), errorPath = directory.appendingPathComponent("err")
        FileManager.default.createFile(atPath: outputPath.path, contents: nil)
        FileManager.default.createFile(atPath: errorPath.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outputPath)
        process.standardError = try FileHandle(forWritingTo: errorPath)
        let start = Date()
        try process.run()
        let timer = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: timer)
        whileRunning?(process)
        process.waitUntilExit()
        timer.cancel()
        let seconds = Date().timeIntervalSince(start)
        #expect(seconds < timeout, "\(arguments.joined(separator: " ")) ran into its \(Int(timeout)) s limit")
        return Run(status: process.terminationStatus, output: try String(contentsOf: outputPath, encoding: .utf8),
                   error: try String(contentsOf: errorPath, encoding: .utf8), seconds: seconds)
    }

    /// `mpirun -np 2 kiln train ...`.
    static func twoRanks(_ transport: Transport, _ arguments: [String], timeout: Double = 120, whileRunning: ((Process) -> Void)? = nil) throws -> Run {
        try run(mpirun!, ["--allow-run-as-root", "--oversubscribe", "-np", "2"] + transport.arguments + [kiln.path, "train"] + arguments + ["--distributed"],
                timeout: timeout, whileRunning: whileRunning)
    }

    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("kiln-mpi-\(UUID().uuidString)-\(name)").path
    }

    static func losses(_ path: String) throws -> [Double] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { Double($0)! }
    }

    static func maximumRelativeDifference(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).map { abs($0 - $1) / max(abs($0), 1e-30) }.max() ?? .infinity
    }

    static func training(_ model: String, epochs: Int) -> [String] {
        [model, "--data", "digits", "--batch-size", "64", "--epochs", String(epochs), "--backend", "tcc", "--threads", "1"]
    }

    /// Two ranks of 32 follow one process with batch 64: the same 66 losses (3 epochs) within
    /// 1e-5 relative. The only difference is the summation order: the averaged gradients (and the
    /// CNN's batch statistics, synchronized over the ranks) add two halves instead of one batch.
    @Test(.timeLimit(.minutes(5)), arguments: ["mlp-digits", "cnn-digits"], Transport.allCases)
    func twoRanksFollowOneProcess(model: String, transport: Transport) throws {
        let single = Self.temporaryPath("single.txt"), distributed = Self.temporaryPath("distributed.txt")
        let reference = try Self.run(Self.kiln.path, ["train"] + Self.training(model, epochs: 3) + ["--loss-log", single])
        #expect(reference.status == 0, "\(reference.error)")
        let run = try Self.twoRanks(transport, Self.training(model, epochs: 3) + ["--loss-log", distributed])
        #expect(run.status == 0, "\(run.error)")
        let expected = try Self.losses(single), actual = try Self.losses(distributed)
        #expect(expected.count == 66 && actual.count == 66)
        #expect(Self.maximumRelativeDifference(expected, actual) < 1e-5)
        #expect(run.output.contains("distributed over 2 ranks: 1437 rows = 22 global batches of 64 (32 per rank) per epoch, "
            + "the last 29 rows of each shuffled epoch left out"))
        #expect(run.output.contains("parameters identical on every rank (checksum"))
        #expect(run.output.contains("throughput:") && run.output.contains("projection at 10 Gb/s"))
        #expect(run.output.components(separatedBy: "test accuracy:").count == 2, "rank 0 alone reports")
    }

    /// A distributed run saved after 2 epochs and resumed to 3 trains the third epoch as the
    /// uninterrupted run did (at a constant rate: the cosine schedule depends on --epochs).
    @Test(.timeLimit(.minutes(3)))
    func resumedRunContinuesTheUninterruptedOne() throws {
        let whole = Self.temporaryPath("whole.txt"), resumed = Self.temporaryPath("resumed.txt")
        let checkpoint = Self.temporaryPath("checkpoint.safetensors")
        let constant = ["--schedule", "constant"]
        let uninterrupted = try Self.twoRanks(.sharedMemory, Self.training("mlp-digits", epochs: 3) + constant + ["--loss-log", whole])
        #expect(uninterrupted.status == 0, "\(uninterrupted.error)")
        let first = try Self.twoRanks(.sharedMemory, Self.training("mlp-digits", epochs: 2) + constant + ["--save", checkpoint])
        #expect(first.status == 0 && first.output.contains("saved \(checkpoint)"), "\(first.error)")
        let second = try Self.twoRanks(.tcp, Self.training("mlp-digits", epochs: 3) + constant + ["--resume", checkpoint, "--loss-log", resumed])
        #expect(second.status == 0, "\(second.error)")
        #expect(second.output.contains("resumed from \(checkpoint) after epoch 2"))
        let expected = Array(try Self.losses(whole).suffix(22)), actual = try Self.losses(resumed)
        #expect(actual.count == 22)
        #expect(Self.maximumRelativeDifference(expected, actual) < 1e-5)
    }

    /// A rank killed mid-run stops the job within seconds with an error naming the rank, and the
    /// checkpoint of the last complete epoch stays loadable.
    @Test(.timeLimit(.minutes(2)))
    func killedRankStopsTheJob() throws {
        let log = Self.temporaryPath("losses.txt"), checkpoint = Self.temporaryPath("epoch.safetensors")
        var killedAt = Date()
        let run = try Self.twoRanks(
            .sharedMemory, Self.training("mlp-digits", epochs: 100_000) + ["--loss-log", log, "--save", checkpoint, "--save-every-epoch"],
            timeout: 90
        ) { mpirun in
            // Wait for a few epochs, then kill one rank (a child of mpirun) with SIGKILL.
            while mpirun.isRunning, (try? Self.losses(log).count) ?? 0 < 100 { Thread.sleep(forTimeInterval: 0.1) }
            let ranks = Self.children(of: mpirun.processIdentifier)
            killedAt = Date()
            if let rank = ranks.last { kill(rank, SIGKILL) }
        }
        #expect(Date().timeIntervalSince(killedAt) < 30, "the job stopped in bounded time")
        #expect(run.status != 0)
        #expect((run.output + run.error).contains("exited on signal 9"), "\(run.error)")
        let epochsDone = Int(try SafeTensors.read(checkpoint).metadata["epochs_done"] ?? "") ?? 0
        #expect(epochsDone >= 1)
        let resumed = try Self.run(
            Self.kiln.path, ["train"] + Self.training("mlp-digits", epochs: epochsDone + 1) + ["--resume", checkpoint], timeout: 60)
        #expect(resumed.status == 0 && resumed.output.contains("resumed from \(checkpoint) after epoch \(epochsDone)"), "\(resumed.error)")
    }

    /// The process ids whose parent is `parent` (from /proc).
    static func children(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == parent
        }.sorted()
    }

    /// Small buckets mean more all-reduces per step and the same losses: the MLP's 4 gradients
    /// (fc2 bias and weight, then fc1 bias and weight, 40 B to 32 KiB) make 2 buckets of at least
    /// 1 KiB, and 1 of the default 1 MiB.
    @Test(.timeLimit(.minutes(2)))
    func bucketSizeSetsTheExchangesPerStep() throws {
        let small = Self.temporaryPath("small.txt"), large = Self.temporaryPath("large.txt")
        let smallRun = try Self.twoRanks(.sharedMemory, Self.training("mlp-digits", epochs: 1) + ["--bucket-kib", "1", "--loss-log", small])
        let largeRun = try Self.twoRanks(.sharedMemory, Self.training("mlp-digits", epochs: 1) + ["--loss-log", large])
        #expect(smallRun.output.contains("(2 all-reduces, 37.5 KiB per rank)"), "\(smallRun.output)")
        #expect(largeRun.output.contains("(1 all-reduce, 37.5 KiB per rank)"), "\(largeRun.output)")
        #expect(Self.maximumRelativeDifference(try Self.losses(small), try Self.losses(large)) < 1e-6)
    }

    /// The overlapped exchange (MPI_Iallreduce started as each bucket is complete, progressed by
    /// MPI_Test between kernels, waited for before the update) gives exactly the blocking
    /// exchange's losses: the same sums in the same bucket order (two ranks' sum a + b is one
    /// rounding either way). --verbose prints each step's compute, exchange time and bytes.
    @Test(.timeLimit(.minutes(3)), arguments: Transport.allCases)
    func overlappedExchangeGivesTheBlockingLosses(transport: Transport) throws {
        let overlapped = Self.temporaryPath("overlapped.txt"), blocking = Self.temporaryPath("blocking.txt")
        let buckets = ["--bucket-kib", "16"]
        let overlappedRun = try Self.twoRanks(
            transport, Self.training("cnn-digits", epochs: 1) + buckets + ["--poll-between-kernels", "--verbose", "--loss-log", overlapped])
        #expect(overlappedRun.status == 0, "\(overlappedRun.error)")
        let blockingRun = try Self.twoRanks(transport, Self.training("cnn-digits", epochs: 1) + buckets + ["--no-overlap", "--loss-log", blocking])
        #expect(blockingRun.status == 0, "\(blockingRun.error)")
        let expected = try Self.losses(blocking), actual = try Self.losses(overlapped)
        #expect(expected.count == 22 && actual == expected)
        // 8 batch-statistics all-reduces and 4 gradient buckets of at least 16 KiB per step.
        let stepLines = overlappedRun.output.split(separator: "\n").filter { $0.hasPrefix("step ") && $0.hasSuffix("KiB in 12 all-reduces") }
        #expect(stepLines.count == 22, "\(overlappedRun.output)")
        #expect(overlappedRun.output.contains("per step (median of 22): compute "))
        #expect(overlappedRun.output.contains("waiting in the exchange, overlapped with backward, ") && overlappedRun.output.contains(
            " ms of it finishing the buckets (12 all-reduces, 186.6 KiB per rank)"))
        #expect(blockingRun.output.contains("waiting in the exchange, blocking (12 all-reduces, 186.6 KiB per rank)"))
    }

    /// The distributed Trainer used from Swift (kiln-distributed-example, `Trainer(distributed:)`),
    /// 2 ranks of 32 against one process of 64: the same 22 losses within 1e-5 relative (the
    /// averaged gradients and batch statistics add two halves instead of one batch).
    @Test(.timeLimit(.minutes(3)))
    func swiftAPIFollowsOneProcess() throws {
        let example = Self.kiln.deletingLastPathComponent().appendingPathComponent("kiln-distributed-example").path
        let single = Self.temporaryPath("api-single.txt"), distributed = Self.temporaryPath("api-distributed.txt")
        let reference = try Self.run(example, [single])
        #expect(reference.status == 0 && reference.output.contains("22 steps on 1 rank"), "\(reference.output)\(reference.error)")
        let run = try Self.run(Self.mpirun!, ["--allow-run-as-root", "--oversubscribe", "-np", "2", example, "--distributed", distributed])
        #expect(run.status == 0 && run.output.contains("22 steps on 2 ranks, median exchange"), "\(run.output)\(run.error)")
        let expected = try Self.losses(single), actual = try Self.losses(distributed)
        #expect(expected.count == 22 && actual.count == 22)
        #expect(Self.maximumRelativeDifference(expected, actual) < 1e-5)
    }

    /// A global batch the ranks cannot share evenly is refused with one error line.
    @Test(.timeLimit(.minutes(2)))
    func batchThatDoesNotDivideIsRefused() throws {
        let run = try Self.twoRanks(.sharedMemory, ["mlp-digits", "--data", "digits", "--batch-size", "63", "--epochs", "1"])
        #expect(run.status != 0)
        #expect(run.error.contains("error: the batch of 63 does not divide among 2 ranks; give a --batch-size that is a multiple of 2"))
    }
}

/// Open MPI's launcher, where `make deps` puts it (or a source install's place).
let installedMPIRun = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// Without MPI, `--distributed` is one error with the install hint (no mpirun needed to check it).
@Suite struct DistributedWithoutMPITests {
    /// `make test` sets KILN_REQUIRE_MPI after `make deps` installed Open MPI, so the distributed
    /// tests run there instead of being skipped.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["KILN_REQUIRE_MPI"] != nil, "KILN_REQUIRE_MPI is not set"))
    func mpirunIsInstalledWhenRequired() {
        #expect(installedMPIRun != nil, "KILN_REQUIRE_MPI is set but mpirun is missing (make deps installs openmpi-bin)")
    }

    @Test func missingLibraryGivesTheInstallHint() throws {
        let run = try DistributedTrainingTests.run(
            DistributedTrainingTests.kiln.path, ["train", "mlp-digits", "--data", "digits", "--epochs", "1", "--distributed"],
            environment: ["KILN_MPI_LIBRARY": "/nonexistent/libmpi.so.40"], timeout: 60)
        #expect(run.status == 1)
        let lines = run.error.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("error: runtime error: --distributed needs Open MPI's libmpi.so.40, which cannot be loaded (") == true)
        #expect(run.error.contains("apt-get install libopenmpi-dev openmpi-bin, or `make deps`"))
    }
}
