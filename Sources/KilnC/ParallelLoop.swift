/// When a generated loop is split across cores: OpenMP's `parallel for` (the prelude's macro
/// `KILN_PARALLEL_FOR`, empty without `-fopenmp`) on its outermost loop once
/// the kernel touches at least `minimumElements` elements (below that, starting the threads costs
/// more than the loop). tcc ignores the pragma; the native tier compiles with `-fopenmp` where it
/// links, and the runtime sets the thread count. Elementwise loops split this way give the same
/// bits at any thread count: every element is computed by the same code, only by another thread.
public enum ParallelLoop {
    /// The fewest elements a kernel's loop handles before it is split across cores.
    public static let minimumElements = 1 << 16

    /// Whether a loop over `elements` elements in all is split across cores.
    public static func isParallel(elements: Int) -> Bool { elements >= minimumElements }
}

extension CWriter {
    /// `for (long name = 0; name < count; name++) { body }`, split across cores by OpenMP when the
    /// loop (with everything nested in it) handles `elements` elements, at least
    /// `ParallelLoop.minimumElements`, and has more than one iteration.
    public mutating func parallelLoop(_ name: String, count: Int, elements: Int, _ body: (inout CWriter) -> Void) {
        if count > 1 && ParallelLoop.isParallel(elements: elements) { line("KILN_PARALLEL_FOR") }
        loop(name, count: count, body)
    }
}
