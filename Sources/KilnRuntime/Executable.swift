import COpenBLAS
import Foundation
import KilnCodegen
import KilnIR

/// A graph compiled to machine code and ready to run: the loaded kernels, the arena every tensor
/// lives in, and the parameter values stored there.
///
/// Thread safety: every method may be called from any thread. Calls on one executable run one at
/// a time, since they share its arena (inputs, activations, parameters and optimizer state live
/// there); different executables run in parallel. Nothing else is shared: the generated code keeps
/// no global state, libtcc's global compiler state is serialized by `TCCBackend`, and the OpenBLAS
/// Debian installs (the pthreads build) is safe for concurrent callers: its buffer table is
/// locked and it serializes parallel level-3 calls from several callers itself.
public final class Executable: @unchecked Sendable {
    /// The graph this executable computes.
    public let graph: Graph
    /// The generated C and its memory plan.
    public let program: GeneratedProgram
    /// Seconds spent compiling the C.
    public let compileSeconds: Double
    /// The compiler that produced the code.
    public let backendName: String

    private let module: any LoadedModule
    private let arena: UnsafeMutableRawPointer
    private let runAll: @convention(c) (UnsafeMutableRawPointer) -> Void
    private let prepare: @convention(c) (UnsafeMutableRawPointer) -> Void
    private let update: @convention(c) (UnsafeMutableRawPointer) -> Void
    /// Whether the preparation kernels have run since the parameters last changed.
    private var prepared = false
    private let runOne: @convention(c) (Int32, UnsafeMutableRawPointer) -> Void
    /// Serializes calls on this executable (they share the arena).
    private let lock = NSLock()

    /// Generates C for `graph`, compiles it with `backend`, and stores `parameters` and the
    /// graph's constants in the arena.
    public init(
        graph: Graph, parameters: [String: TensorValue], program: GeneratedProgram? = nil,
        backend: any CompilerBackend = TCCBackend()
    ) throws(KilnError) {
        let program = if let program { program } else { try CodeGenerator.generate(graph) }
        let start = DispatchTime.now().uptimeNanoseconds
        module = try backend.compile(source: program.source, lineOwners: program.lineOwners)
        compileSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard let runAddress = module.symbol("kiln_run"), let kernelAddress = module.symbol("kiln_run_kernel"),
              let prepareAddress = module.symbol("kiln_prepare"), let updateAddress = module.symbol("kiln_update") else {
            throw .runtime("the compiled program lacks its entry points kiln_prepare, kiln_run, kiln_update and kiln_run_kernel")
        }
        update = unsafeBitCast(updateAddress, to: (@convention(c) (UnsafeMutableRawPointer) -> Void).self)
        runAll = unsafeBitCast(runAddress, to: (@convention(c) (UnsafeMutableRawPointer) -> Void).self)
        prepare = unsafeBitCast(prepareAddress, to: (@convention(c) (UnsafeMutableRawPointer) -> Void).self)
        runOne = unsafeBitCast(kernelAddress, to: (@convention(c) (Int32, UnsafeMutableRawPointer) -> Void).self)
        self.graph = graph
        self.program = program
        self.backendName = backend.name
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

    deinit { arena.deallocate() }

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
        prepareIfNeeded()
        runAll(arena)
        let outputs = Dictionary(uniqueKeysWithValues: graph.outputs.map { ($0.name, read(graph[$0.node])) })
        update(arena)
        return outputs
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
        prepareIfNeeded()
        for index in preparationKernelCount..<kernelCount {
            body(index) { runOne(Int32(index), arena) }
        }
        let outputs = Dictionary(uniqueKeysWithValues: graph.outputs.map { ($0.name, read(graph[$0.node])) })
        update(arena)
        return outputs
    }

    /// Runs the preparation kernels when the parameters changed since they last ran.
    private func prepareIfNeeded() {
        guard !prepared else { return }
        prepare(arena)
        prepared = true
    }

    private func store(_ inputs: [String: TensorValue]) throws(KilnError) {
        let expected = graph.inputs
        for name in inputs.keys where !expected.contains(where: { $0.name == name }) {
            let known = expected.map { "'\($0.name)'" }.joined(separator: ", ")
            throw .invalidArgument("the graph has no input named '\(name)' (its inputs: \(known))")
        }
        for node in expected {
            guard let value = inputs[node.name] else {
                throw .invalidArgument("missing input '\(node.name)' of type \(node.type)")
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
            value.floats.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        case .int32:
            value.integers.map { Int32(truncatingIfNeeded: $0) }.withUnsafeBytes {
                base.copyMemory(from: $0.baseAddress!, byteCount: $0.count)
            }
        case .int64:
            value.integers.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        }
    }

    private func read(_ node: Node) -> TensorValue {
        let base = arena + program.plan.offset(of: node.id)
        let count = node.type.shape.elementCount
        switch node.type.dtype {
        case .float32:
            let pointer = base.bindMemory(to: Float.self, capacity: count)
            return TensorValue(shape: node.type.shape, floats: Array(UnsafeBufferPointer(start: pointer, count: count)))
        case .int32:
            let pointer = base.bindMemory(to: Int32.self, capacity: count)
            return TensorValue(
                dtype: .int32, shape: node.type.shape,
                integers: UnsafeBufferPointer(start: pointer, count: count).map(Int64.init))
        case .int64:
            let pointer = base.bindMemory(to: Int64.self, capacity: count)
            return TensorValue(dtype: .int64, shape: node.type.shape, integers: Array(UnsafeBufferPointer(start: pointer, count: count)))
        }
    }
}
