import COpenBLAS
import Foundation
import KilnAnalysis
import KilnC
import KilnIR
import KilnOps

/// Measures the machine model: peak FLOP/s with OpenBLAS `cblas_sgemm`, memory bandwidth with a
/// STREAM triad in C built by the system compiler (`cc -O2`), and the bandwidth of loops in the form
/// Kiln generates, compiled by the tier's compiler (libtcc by default). Every figure is the best of several timed runs after a
/// warm-up (a ceiling, not a typical time), on the monotonic clock. Takes a few seconds.
public enum MachineBenchmark {
    /// The matrix size of the sgemm measurement (n×n times n×n).
    static let gemmSize = 1536
    /// Elements per array of the streaming measurements: 32 MiB of float32 each, several times
    /// the last-level cache of common machines.
    static let streamElements = 8 << 20

    /// Measures every figure on BLAS's current thread count, the JIT ceilings with the loops
    /// compiled by `jitBackend`.
    public static func measure(jitBackend: any CompilerBackend = TCCBackend()) throws(KilnError) -> MachineModel {
        let threads = BLASThreads.count
        let peak = measurePeak()
        let buffers = StreamBuffers(count: streamElements)
        let (bandwidth, compiler) = try measureBandwidth(buffers, threads: threads)
        let jit = try measureJIT(buffers, backend: jitBackend)
        let mib = (streamElements * 4) >> 20
        return MachineModel(
            peakGFLOPs: peak, bandwidthGBs: bandwidth, jitTriadGBs: jit.triad, jitFusedGBs: jit.fused,
            jitCompiler: jitBackend.name, blasCore: BLASThreads.core, threads: threads, cpu: cpuName(),
            peakMethod: "OpenBLAS cblas_sgemm (\(BLASThreads.core) kernels) \(gemmSize)^3, \(threads) thread\(threads == 1 ? "" : "s"), best of 10",
            bandwidthMethod: "STREAM triad a=b+s*c in C by the system \(compiler) -O2, \(threads) thread\(threads == 1 ? "" : "s"), "
                + "3 x \(mib) MiB, 12 B/element (no write-allocate), best of 10",
            jitMethod: "loops as Kiln emits them compiled by \(jitBackend.name), 1 thread, \(mib) MiB arrays: "
                + "triad (12 B/element) and mul+add+relu fused (16 B/element), best of 5",
            source: .measured)
    }

    /// GFLOP/s of one square sgemm on BLAS's thread count.
    static func measurePeak() -> Double {
        let n = gemmSize
        let a = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        let b = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        for index in 0..<(n * n) {
            a[index] = Float(index % 7) * 0.125
            b[index] = Float(index % 5) * 0.25
            c[index] = 0
        }
        let size = Int32(n)
        let seconds = BLASCallGate.shared.withCall(threads: BLASThreads.count) {
            bestTime(warmups: 1, runs: 10) {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, size, size, size, 1, a, size, b, size, 0, c, size)
            }
        }
        return 2 * Double(n * n * n) / seconds / 1e9
    }

    /// GB/s of the STREAM triad built by the system C compiler, on `threads` threads, and the
    /// compiler's name.
    static func measureBandwidth(_ buffers: StreamBuffers, threads: Int) throws(KilnError) -> (Double, String) {
        let library = try SystemCompiledLibrary(source: triadSource, symbol: "kiln_triad")
        defer { library.close() }
        typealias Triad = @convention(c) (
            UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, Int, Int32
        ) -> Int32
        let triad = unsafeBitCast(library.address, to: Triad.self)
        let (a, b, c, count) = (buffers.arrays[0], buffers.arrays[1], buffers.arrays[2], buffers.count)
        var failed = false
        let seconds = bestTime(warmups: 1, runs: 10) { failed = triad(a, b, c, count, Int32(threads)) != 0 || failed }
        guard !failed else { throw .runtime("could not start \(threads) threads for the triad") }
        return (12 * Double(count) / seconds / 1e9, library.compiler)
    }

    /// GB/s of a triad and of a fused mul+add+relu loop written as Kiln writes loops and compiled by `backend`.
    static func measureJIT(_ buffers: StreamBuffers, backend: any CompilerBackend) throws(KilnError) -> (triad: Double, fused: Double) {
        let count = buffers.count
        var writer = CWriter()
        writer.line("#define KILN_RESTRICT restrict")
        writer.block("void kiln_bench_triad(float *KILN_RESTRICT a, const float *KILN_RESTRICT b, const float *KILN_RESTRICT c)") { body in
            body.loop("i", count: count) { loop in loop.line("a[i] = \(Add().cExpression("b[i]", Mul().cExpression("3.0f", "c[i]")));") }
        }
        writer.block(
            "void kiln_bench_fused(float *KILN_RESTRICT y, const float *KILN_RESTRICT x, const float *KILN_RESTRICT scale, "
                + "const float *KILN_RESTRICT shift)"
        ) { body in
            body.loop("i", count: count) { loop in
                loop.line("float t0 = \(Mul().cExpression("x[i]", "scale[i]"));")
                loop.line("float t1 = \(Add().cExpression("t0", "shift[i]"));")
                loop.line("y[i] = \(Relu().cExpression("t1"));")
            }
        }
        let module = try backend.compile(source: writer.text, lineOwners: writer.owners)
        typealias Triad = @convention(c) (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void
        typealias Fused = @convention(c) (
            UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>
        ) -> Void
        guard let triadAddress = module.symbol("kiln_bench_triad"), let fusedAddress = module.symbol("kiln_bench_fused") else {
            throw .runtime("the JIT benchmark lacks its functions")
        }
        let triad = unsafeBitCast(triadAddress, to: Triad.self), fused = unsafeBitCast(fusedAddress, to: Fused.self)
        let arrays = buffers.arrays
        let triadSeconds = bestTime(warmups: 1, runs: 5) { triad(arrays[0], arrays[1], arrays[2]) }
        let fusedSeconds = bestTime(warmups: 1, runs: 5) { fused(arrays[3], arrays[0], arrays[1], arrays[2]) }
        return (12 * Double(count) / triadSeconds / 1e9, 16 * Double(count) / fusedSeconds / 1e9)
    }

    /// The shortest of `runs` timed calls after `warmups` untimed ones, in seconds.
    static func bestTime(warmups: Int, runs: Int, _ body: () -> Void) -> Double {
        for _ in 0..<warmups { body() }
        var best = Double.infinity
        for _ in 0..<runs {
            let start = MonotonicClock.seconds()
            body()
            best = min(best, MonotonicClock.seconds() - start)
        }
        return best
    }

    /// A warning when the one-minute load average exceeds the processor count: other work then
    /// competes with the measurement and the figures come out low.
    public static func loadWarning() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8),
              let first = text.split(separator: " ").first, let load = Double(first) else { return nil }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard load > Double(cores) else { return nil }
        return "note: load average \(first) on \(cores) cores: other work competes with the measurement, so the figures "
            + "will be low; measure again with --remeasure when the machine is idle"
    }

    /// The processor's model name from /proc/cpuinfo, or "unknown".
    public static func cpuName() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
              let colon = line.firstIndex(of: ":") else { return "unknown" }
        return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }

    /// The STREAM triad, split into contiguous slices over threads.
    static let triadSource = """
        #include <pthread.h>
        typedef struct { float *a; const float *b; const float *c; long begin; long end; } kiln_triad_slice;
        static void *kiln_triad_worker(void *argument) {
            kiln_triad_slice *slice = (kiln_triad_slice *)argument;
            float *restrict a = slice->a;
            const float *restrict b = slice->b;
            const float *restrict c = slice->c;
            for (long i = slice->begin; i < slice->end; i++) a[i] = b[i] + 3.0f * c[i];
            return 0;
        }
        int kiln_triad(float *a, const float *b, const float *c, long n, int threads) {
            pthread_t ids[64];
            kiln_triad_slice slices[64];
            int started = 1, status = 0;
            if (threads < 1) threads = 1;
            if (threads > 64) threads = 64;
            for (int t = 0; t < threads; t++) {
                kiln_triad_slice slice = { a, b, c, n * t / threads, n * (t + 1) / threads };
                slices[t] = slice;
            }
            for (; started < threads; started++) {
                if (pthread_create(&ids[started], 0, kiln_triad_worker, &slices[started]) != 0) { status = -1; break; }
            }
            kiln_triad_worker(&slices[0]);
            for (int t = 1; t < started; t++) pthread_join(ids[t], 0);
            return status;
        }
        """
}

/// Page-aligned float arrays for the streaming measurements.
final class StreamBuffers {
    let count: Int
    let arrays: [UnsafeMutablePointer<Float>]

    init(count: Int) {
        self.count = count
        arrays = (0..<4).map { _ in
            let raw = UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 4096)
            let floats = raw.bindMemory(to: Float.self, capacity: count)
            floats.initialize(repeating: 1, count: count)
            return floats
        }
    }

    deinit { for array in arrays { array.deallocate() } }
}
