import Foundation
import KilnCodegen
import KilnIR

/// A graph compiled to machine code and ready to run: the loaded kernels, the arena every tensor
/// lives in, and the parameter values stored there.
///
/// Tiered (`ExecutionBackend.tiered`): the executable starts with tcc's code and builds the same
/// program natively in the background; between two calls, once that code is ready, it switches
/// to it. Both tiers run over the one arena, so parameters, optimizer state and every persistent
/// buffer carry over, and no call ever runs a mix of tiers.
///
/// Thread safety: every method may be called from any thread. Calls on one executable run one at
/// a time, since they share its arena (inputs, activations, parameters and optimizer state live
/// there); different executables run in parallel. Nothing else is shared: the generated code keeps
/// no global state, libtcc's global compiler state is serialized by `TCCBackend`, and the OpenBLAS
/// Debian installs (the pthreads build) is safe for concurrent callers: its buffer table is
/// locked and it serializes parallel level-3 calls from several callers itself. OpenBLAS's thread
/// count is the one process-wide setting: each call holds `BLASCallGate` with its executable's
/// count, so calls that want the same count run in parallel and the count changes only between
/// calls (executables with different counts take turns).
public final class Executable: @unchecked Sendable {
    /// The graph this executable computes.
    public let graph: Graph
    /// The generated C and its memory plan.
    public let program: GeneratedProgram
    /// Seconds spent compiling the first tier's code.
    public let compileSeconds: Double

    private var code: LoadedProgram
    private var nativeBuild: NativeTierBuild?
    private var nativeSeconds: Double?
    private var nativeOutcome: NativeBackend.Outcome?
    private var nativeError: KilnError?
    private var threadCount: Int
    private let arena: UnsafeMutableRawPointer
    /// Whether the preparation kernels have run since the parameters last changed.
    private var prepared = false
    /// Serializes calls on this executable (they share the arena).
    private let lock = NSLock()

    /// Generates C for `graph` (unless `program` is given), compiles it with `backend` (tcc
    /// unless told otherwise), and stores `parameters` and the graph's constants in the arena.
    public init(
        graph: Graph, parameters: [String: TensorValue], program: GeneratedProgram? = nil,
        backend: ExecutionBackend = .tcc
    ) throws(KilnError) {
        let program = if let program { program } else { try CodeGenerator.generate(graph) }
        let start = MonotonicClock.seconds()
        switch backend.kind {
        case .tcc:
            code = try LoadedProgram(module: backend.tcc.compile(source: program.source, lineOwners: program.lineOwners), tier: .tcc)
        case .native:
            let (module, outcome) = try backend.native.compileReporting(source: program.source, lineOwners: program.lineOwners)
            code = try LoadedProgram(module: module, tier: .native)
            nativeOutcome = outcome
        case .tiered:
            code = try LoadedProgram(module: backend.tcc.compile(source: program.source, lineOwners: program.lineOwners), tier: .tcc)
            if backend.native.compiler == nil {
                nativeError = .runtime(NativeBackend.missingCompilerMessage)
                TierNotice.noCompiler()
            } else {
                nativeBuild = NativeTierBuild(program: program, backend: backend.native)
            }
        }
        compileSeconds = MonotonicClock.seconds() - start
        if backend.kind == .native { nativeSeconds = compileSeconds }
        self.graph = graph
        self.program = program
        threadCount = BLASThreads.defaultCount
        arena = UnsafeMutableRawPointer.allocate(byteCount: max(program.plan.arenaBytes, 1), alignment: MemoryPlan.alignment)
        arena.initializeMemory(as: UInt8.self, repeating: 0, count: max(program.plan.arenaBytes, 1))
        for node in graph.nodes where node.op == Node.constantOp {
            write(TensorValue(type: node.type, doubles: graph.constantValues(node)), to: node)
        }
        for node in graph.parameters {
            guard let value = parameters[node.name] else {
                throw .invalidArgument("no value given for parameter '\(node.name)' of type \(node.type)")
            }
            try setParameter(node.name, value)
        }
    }

    deinit {
        nativeBuild?.abandon()
        arena.deallocate()
    }

    /// The number of kernels `kiln_run_kernel` accepts.
    public var kernelCount: Int { program.kernels.count }

    /// The number of preparation kernels (the first ones): they run once after parameters change,
    /// not on every run.
    public var preparationKernelCount: Int { program.fusion.preparationKernelCount }

    /// Replaces the value of parameter `name`.
    public func setParameter(_ name: String, _ value: TensorValue) throws(KilnError) {
        guard let node = graph.node(named: name), node.op == Node.parameterOp else {
            throw .invalidArgument("the graph has no parameter named '\(name)'")
        }
        guard value.type == node.type else {
            throw .invalidArgument("parameter '\(name)' expects \(node.type), got \(value.type)")
        }
        lock.lock()
        defer { lock.unlock() }
        write(value, to: node)
        prepared = false
    }

    /// Replaces the values of the parameters in `tensors` at once, after checking them all under
    /// `matching` (nothing is written when one does not fit).
    public func load(parameters tensors: [String: TensorValue], matching: ParameterMatching = .strict) throws(KilnError) {
        let names = try graph.parametersToLoad(tensors.mapValues(\.type), matching: matching, source: "parameters")
        lock.lock()
        defer { lock.unlock() }
        for name in names {
            if let node = graph.node(named: name), let value = tensors[name] { write(value, to: node) }
        }
        prepared = false
    }

    /// The current value of every parameter, by name.
    public func parameters() -> [String: TensorValue] {
        lock.lock()
        defer { lock.unlock() }
        return Dictionary(uniqueKeysWithValues: graph.parameters.map { ($0.name, read($0)) })
    }

    /// Runs the graph on `inputs` (one value per graph input, by name) and returns every output by
    /// name, as computed before the state updates (which are applied before returning).
    public func run(_ inputs: [String: TensorValue]) throws(KilnError) -> [String: TensorValue] {
        lock.lock()
        defer { lock.unlock() }
        try store(inputs)
        let (code, blasThreads) = beginCall()
        return BLASCallGate.shared.withCall(threads: blasThreads) {
            prepareIfNeeded(code)
            code.run(arena)
            let outputs = Dictionary(uniqueKeysWithValues: graph.outputs.map { ($0.name, read(graph[$0.node])) })
            code.update(arena)
            return outputs
        }
    }

    /// Runs the graph on `inputs` like `run(_:)`, writing every output into `outputs` and reusing
    /// the storage of a value already there when its type matches (so a loop of calls allocates
    /// nothing for its outputs); outputs missing or of another type are created.
    public func run(_ inputs: [String: TensorValue], into outputs: inout [String: TensorValue]) throws(KilnError) {
        lock.lock()
        defer { lock.unlock() }
        try store(inputs)
        let (code, blasThreads) = beginCall()
        BLASCallGate.shared.withCall(threads: blasThreads) {
            prepareIfNeeded(code)
            code.run(arena)
            for output in graph.outputs {
                let node = graph[output.node]
                if node.type.dtype == .float32, outputs[output.name]?.type == node.type {
                    let source = UnsafeRawPointer(arena + program.plan.offset(of: node.id))
                    outputs[output.name]?.floats.withUnsafeMutableBytes {
                        code.copy(to: $0.baseAddress!, from: source, byteCount: $0.count, threads: threadCount)
                    }
                } else {
                    outputs[output.name] = read(node)
                }
            }
            code.update(arena)
        }
    }

    /// Runs the graph without copying its tensors out of the arena: each input in `inputs` is
    /// copied in and every other input is written in place by `fill` (given the input's node and
    /// its bytes in the arena, laid out as `TensorValue(type:copyingFrom:)` reads them); then
    /// `read` receives each output's name, type and bytes in the arena, valid only during the
    /// call, before the state updates are applied. A large tensor is never held outside the arena.
    public func run(
        _ inputs: [String: TensorValue] = [:], filling fill: (Node, UnsafeMutableRawBufferPointer) -> Void,
        reading read: (String, TensorType, UnsafeRawBufferPointer) throws(KilnError) -> Void
    ) throws(KilnError) {
        lock.lock()
        defer { lock.unlock() }
        try store(inputs, filling: fill)
        let (code, blasThreads) = beginCall()
        try BLASCallGate.shared.withCall(threads: blasThreads) { () throws(KilnError) in
            prepareIfNeeded(code)
            code.run(arena)
            defer { code.update(arena) }
            for output in graph.outputs {
                let node = graph[output.node]
                try read(output.name, node.type, UnsafeRawBufferPointer(start: arena + program.plan.offset(of: node.id), count: node.type.byteCount))
            }
        }
    }

    /// Stores `inputs`, then runs each per-run kernel alone through `body`, which receives the
    /// kernel's index and a closure that runs it (used to time kernels one by one); state updates
    /// follow. Preparation kernels run first, untimed, when the parameters changed.
    public func runKernels(
        _ inputs: [String: TensorValue], _ body: (Int, () -> Void) -> Void
    ) throws(KilnError) -> [String: TensorValue] {
        lock.lock()
        defer { lock.unlock() }
        try store(inputs)
        let (code, blasThreads) = beginCall()
        return BLASCallGate.shared.withCall(threads: blasThreads) {
            prepareIfNeeded(code)
            for index in preparationKernelCount..<kernelCount {
                body(index) { code.runKernel(Int32(index), arena) }
            }
            let outputs = Dictionary(uniqueKeysWithValues: graph.outputs.map { ($0.name, read(graph[$0.node])) })
            code.update(arena)
            return outputs
        }
    }

    /// Runs the preparation kernels if the parameters changed, then returns the arena's bytes in
    /// each of `ranges`, in order: the prepared values standalone C embeds as constants.
    public func preparedBytes(_ ranges: [Range<Int>]) -> Data {
        lock.lock()
        defer { lock.unlock() }
        let (code, blasThreads) = beginCall()
        return BLASCallGate.shared.withCall(threads: blasThreads) {
            prepareIfNeeded(code)
            var data = Data()
            for range in ranges { data.append(Data(bytes: arena + range.lowerBound, count: range.count)) }
            return data
        }
    }

    /// Switches to the native code if it became ready, and sets the OpenMP thread count of the
    /// calling thread; the code the whole call then runs, and the thread count the call holds
    /// `BLASCallGate` with (1 for native code with OpenMP, whose threads split the products
    /// themselves; the executable's count otherwise). Called under the lock.
    private func beginCall() -> (code: LoadedProgram, blasThreads: Int) {
        installNativeIfReady()
        let blasThreads = Int(code.setThreads(Int32(threadCount)))
        return (code, BLASThreads.allowedCounts.contains(blasThreads) ? blasThreads : threadCount)
    }

    /// Takes the finished native build, if any, as the code of the next calls. Called under the lock.
    private func installNativeIfReady() {
        guard let build = nativeBuild, build.isFinished else { return }
        if let native = build.takeIfReady() {
            code = native
            nativeSeconds = build.seconds
            nativeOutcome = build.outcome
        } else {
            nativeError = build.error
        }
        nativeBuild = nil
    }

    /// The tier the next call runs (the native code is taken here if it has become ready).
    public var tier: Tier {
        lock.lock()
        defer { lock.unlock() }
        installNativeIfReady()
        return code.tier
    }

    /// The compiler of the code the next call runs (`tcc`, `native`).
    public var backendName: String { tier.rawValue }

    /// Blocks until the background native build (if any) has ended and switches to its code;
    /// returns the tier then running (`.tcc` when the build failed: see `nativeTierError`).
    @discardableResult
    public func waitForNativeTier() -> Tier {
        lock.lock()
        let build = nativeBuild
        lock.unlock()
        build?.wait()
        return tier
    }

    /// Seconds the native code took to compile (or load from the cache), once it runs.
    public var nativeCompileSeconds: Double? { lock.withLock { nativeSeconds } }

    /// Whether the native code was compiled or loaded from the cache, once it runs.
    public var nativeCacheOutcome: NativeBackend.Outcome? { lock.withLock { nativeOutcome } }

    /// Why a tiered executable stays on tcc: no compiler, or the native build failed.
    public var nativeTierError: KilnError? {
        lock.lock()
        defer { lock.unlock() }
        installNativeIfReady()
        return nativeError
    }

    /// The threads the next calls run on: OpenMP's loops (native code) and OpenBLAS alike.
    /// Starts at `BLASThreads.defaultCount`.
    public var threads: Int { lock.withLock { threadCount } }

    /// Sets the thread count of the next calls (1...1024).
    public func setThreads(_ count: Int) throws(KilnError) {
        try BLASThreads.validate(count)
        lock.withLock { threadCount = count }
    }

    /// Runs the preparation kernels when the parameters changed since they last ran.
    private func prepareIfNeeded(_ code: LoadedProgram) {
        guard !prepared else { return }
        code.prepare(arena)
        prepared = true
    }

    /// Copies `inputs`, one value for every graph input, into the arena.
    private func store(_ inputs: [String: TensorValue]) throws(KilnError) {
        var missing: Node?
        try store(inputs) { node, _ in missing = missing ?? node }
        if let missing { throw .invalidArgument("missing input '\(missing.name)' of type \(missing.type)") }
    }

    /// Copies `inputs` into the arena; an input missing there is written by `fill`.
    private func store(_ inputs: [String: TensorValue], filling fill: (Node, UnsafeMutableRawBufferPointer) -> Void) throws(KilnError) {
        let expected = graph.inputs
        for name in inputs.keys where !expected.contains(where: { $0.name == name }) {
            let known = expected.map { "'\($0.name)'" }.joined(separator: ", ")
            throw .invalidArgument("the graph has no input named '\(name)' (its inputs: \(known))")
        }
        for node in expected {
            guard let value = inputs[node.name] else {
                fill(node, UnsafeMutableRawBufferPointer(start: arena + program.plan.offset(of: node.id), count: node.type.byteCount))
                continue
            }
            guard value.type == node.type else {
                throw .invalidArgument("input '\(node.name)' expects \(node.type), got \(value.type)")
            }
            write(value, to: node)
        }
    }

    private func write(_ value: TensorValue, to node: Node) {
        let base = arena + program.plan.offset(of: node.id)
        switch node.type.dtype {
        case .float32:
            value.floats.withUnsafeBytes { code.copy(to: base, from: $0.baseAddress!, byteCount: $0.count, threads: threadCount) }
        case .int32:
            value.integers.map { Int32(truncatingIfNeeded: $0) }.withUnsafeBytes {
                base.copyMemory(from: $0.baseAddress!, byteCount: $0.count)
            }
        case .int64:
            value.integers.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        case .bool:
            value.integers.map { $0 != 0 ? 1 : 0 as UInt8 }.withUnsafeBytes {
                base.copyMemory(from: $0.baseAddress!, byteCount: $0.count)
            }
        }
    }

    private func read(_ node: Node) -> TensorValue {
        TensorValue(type: node.type, copyingFrom: arena + program.plan.offset(of: node.id))
    }
}
