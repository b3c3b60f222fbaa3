import Foundation

/// Copies between the caller's tensors and the arena, split across the executable's threads when
/// large: copying a 16 MiB input in and out takes as long as a fast elementwise kernel over it,
/// and one core streams only part of the machine's bandwidth.
enum ParallelCopy {
    /// The fewest bytes a copy splits across threads (below it, starting them costs more).
    static let minimumBytes = 4 << 20

    /// Copies `byteCount` bytes from `source` to `target` on up to `threads` threads.
    static func copy(to target: UnsafeMutableRawPointer, from source: UnsafeRawPointer, byteCount: Int, threads: Int) {
        guard threads > 1, byteCount >= minimumBytes else {
            target.copyMemory(from: source, byteCount: byteCount)
            return
        }
        // Slices of whole cache lines, the last one taking the rest.
        let slice = (byteCount / threads + 63) & ~63
        let (to, from) = (Int(bitPattern: target), Int(bitPattern: source))  // addresses, to cross threads
        DispatchQueue.concurrentPerform(iterations: threads) { index in
            let start = index * slice
            guard start < byteCount, let target = UnsafeMutableRawPointer(bitPattern: to + start),
                  let source = UnsafeRawPointer(bitPattern: from + start) else { return }
            target.copyMemory(from: source, byteCount: min(slice, byteCount - start))
        }
    }
}
