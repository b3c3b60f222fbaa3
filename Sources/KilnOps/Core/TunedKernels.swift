import KilnIR

/// Algorithms chosen by timing (`--tune`) rather than by the rules, one per distinct kernel shape.
///
/// A shape is the operator, its input types and its attributes (`key(op:_:)`), so two convolutions
/// of one shape share a measurement. `KernelPlan.rules(for:tuned:)` uses a tuned choice where it is
/// one of the node's candidates, and `winograd-selection` rewrites a `conv2d` into Winograd exactly
/// where its shape was tuned to a Winograd algorithm (and keeps it where it was tuned to another).
/// Shapes without an entry get the rules' choice.
public struct TunedKernels: Sendable, Hashable {
    /// One shape's measurement: the fastest candidate and every candidate's median time.
    public struct Choice: Sendable, Hashable {
        /// The fastest candidate.
        public var algorithm: KernelAlgorithm
        /// Each candidate's median time in microseconds, in the order they were timed.
        public var microseconds: [(KernelAlgorithm, Double)]

        /// Creates a choice: the fastest of `microseconds` (the first on a tie). Nil when empty.
        public init?(microseconds: [(KernelAlgorithm, Double)]) {
            guard let fastest = microseconds.min(by: { $0.1 < $1.1 }) else { return nil }
            self.algorithm = fastest.0
            self.microseconds = microseconds
        }

        /// The reason the plan prints: `tuned: winograd-f4x4-3x3 812 µs, im2col+gemm 1402 µs`.
        public var reason: String {
            "tuned: " + microseconds.map { "\($0.0.rawValue) \(Self.format($0.1)) µs" }.joined(separator: ", ")
        }

        static func format(_ value: Double) -> String {
            value >= 100 ? String(Int(value.rounded())) : String(Double(Int((value * 10).rounded())) / 10)
        }

        public static func == (a: Choice, b: Choice) -> Bool {
            a.algorithm == b.algorithm && a.microseconds.elementsEqual(b.microseconds) { $0.0 == $1.0 && $0.1 == $1.1 }
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(algorithm)
            for (candidate, time) in microseconds { hasher.combine(candidate); hasher.combine(time) }
        }
    }

    /// The choice of each tuned shape, by `key(op:_:)`.
    public var choices: [String: Choice]

    /// Choices by shape key.
    public init(choices: [String: Choice] = [:]) { self.choices = choices }

    /// The key of a node's shape: `conv2d(f32[1,64,56,56], f32[64,64,3,3]) {padding=[1, 1, 1, 1]}`.
    public static func key(op: String, _ signature: OperatorSignature) -> String {
        var key = op + "(" + signature.inputs.map(\.description).joined(separator: ", ") + ")"
        if !signature.attributes.isEmpty {
            key += " {" + signature.attributes.sorted.map { "\($0.name)=\($0.value)" }.joined(separator: ", ") + "}"
        }
        return key
    }

    /// The tuned choice for `node`, if its shape was tuned.
    public func choice(for node: Node, in graph: Graph) -> Choice? {
        choices.isEmpty ? nil : choices[Self.key(op: node.op, OperatorRegistry.signature(of: node, in: graph))]
    }
}
