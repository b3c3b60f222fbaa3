import KilnIR

/// How the C of a GEMM-shaped node computes it.
public enum KernelAlgorithm: String, Sendable, Hashable, CaseIterable {
    /// `cblas_sgemm` on the operands as they lie (matmul).
    case gemm = "gemm"
    /// A 1×1, stride-1, unpadded convolution: the image is already the GEMM operand.
    case pointwiseGEMM = "1x1-gemm"
    /// Patches copied into a scratch matrix, then `cblas_sgemm`.
    case im2colGEMM = "im2col+gemm"
    /// One input channel per group: a direct loop per output plane, register-blocked rows,
    /// branch-free interior; outputs narrower than 32 one flat loop over phase planes.
    case depthwiseDirect = "depthwise-direct"
    /// Winograd F(2×2, 3×3): 16 products per 4 outputs instead of 36.
    case winogradF2x2 = "winograd-f2x2-3x3"
    /// Winograd F(4×4, 3×3): 36 products per 16 outputs instead of 144.
    case winogradF4x4 = "winograd-f4x4-3x3"
    /// A whole LSTM layer: the input projections of all steps as one product, then per step one
    /// product with prepared W_h panels and the gates fused in one pass (`lstm_sequence`).
    case lstmPanelGEMM = "lstm-panel-gemm+fused-gates"
}

/// The algorithm and data layout of one node, and why the rules chose them.
public struct KernelChoice: Sendable, Hashable {
    /// How the node is computed.
    public var algorithm: KernelAlgorithm
    /// The data layout of its activations (`NCHW`).
    public var layout: String
    /// Why: the property of the shape that decided.
    public var reason: String

    /// Creates a choice.
    public init(_ algorithm: KernelAlgorithm, layout: String = "NCHW", reason: String) {
        self.algorithm = algorithm
        self.layout = layout
        self.reason = reason
    }
}

/// For every GEMM-shaped node (convolution, matmul) of a graph, the algorithm and layout its C uses
/// and why. The code generator reads the plan (each operator's `emitC` sees its node's choice in
/// `OperatorSignature.algorithm`), so the plan and the emitted C cannot disagree.
///
/// `rules(for:)` is the default plan; a plan with other choices (`choosing(_:for:)`) compiles the
/// same graph another way, as long as each choice is one of the node's candidates.
public struct KernelPlan: Sendable, Hashable {
    /// The choice of each planned node.
    public private(set) var choices: [NodeID: KernelChoice]

    /// A plan with these choices.
    public init(choices: [NodeID: KernelChoice] = [:]) { self.choices = choices }

    /// The choice the rules make for every node whose operator has several ways of computing
    /// (`Operator.kernelChoice`), except where `tuned` timed the node's shape and its fastest
    /// algorithm is one of the node's candidates.
    public static func rules(for graph: Graph, tuned: TunedKernels = TunedKernels()) -> KernelPlan {
        var choices: [NodeID: KernelChoice] = [:]
        for node in graph.nodes where !node.isLeaf {
            let signature = OperatorRegistry.signature(of: node, in: graph)
            guard let definition = OperatorRegistry.operator(node.op),
                  var choice = definition.kernelChoice(signature) else { continue }
            if let timed = tuned.choice(for: node, in: graph),
               definition.kernelAlgorithms(signature).contains(timed.algorithm) || timed.algorithm == choice.algorithm {
                choice = KernelChoice(timed.algorithm, layout: choice.layout, reason: timed.reason)
            }
            choices[node.id] = choice
        }
        return KernelPlan(choices: choices)
    }

    /// The choice for `node`, if planned.
    public subscript(node: NodeID) -> KernelChoice? { choices[node] }

    /// This plan with `algorithm` for `node` (reason: chosen by the caller). Throws when the node
    /// is not planned or its operator cannot compute it that way.
    public func choosing(_ algorithm: KernelAlgorithm, for node: NodeID, in graph: Graph) throws(KilnError) -> KernelPlan {
        guard node.index < graph.nodes.count, let current = choices[node],
              let definition = OperatorRegistry.operator(graph[node].op) else {
            throw .invalidArgument("node \(node) has no kernel choice to change")
        }
        let candidates = definition.kernelAlgorithms(OperatorRegistry.signature(of: graph[node], in: graph))
        guard candidates.contains(algorithm) else {
            let list = candidates.map(\.rawValue).joined(separator: ", ")
            throw .invalidArgument(
                "node \(node) '\(graph[node].name)' (\(graph[node].op)) cannot use \(algorithm.rawValue); its candidates: \(list)")
        }
        var plan = self
        plan.choices[node] = KernelChoice(algorithm, layout: current.layout, reason: "chosen by the caller")
        return plan
    }

    /// The signature `node` is emitted with: its operator's view of the node and the plan's algorithm.
    public func signature(of node: Node, in graph: Graph) -> OperatorSignature {
        var signature = OperatorRegistry.signature(of: node, in: graph)
        signature.algorithm = choices[node.id]?.algorithm
        return signature
    }

    /// The scratch bytes `node` needs when emitted with this plan's algorithm.
    public func scratchBytes(of node: Node, in graph: Graph) -> Int {
        guard !node.isLeaf, let definition = OperatorRegistry.operator(node.op) else { return 0 }
        return definition.scratchBytes(signature(of: node, in: graph))
    }

    /// One line per planned node in graph order: node, operator, output type, algorithm, layout, reason.
    public func text(for graph: Graph) -> String {
        let planned = choices.keys.sorted()
        var lines = ["kernel plan: \(planned.count) GEMM-shaped nodes"]
        let counts = Dictionary(grouping: planned) { choices[$0]!.algorithm }.mapValues(\.count)
        let summary = KernelAlgorithm.allCases.compactMap { algorithm in counts[algorithm].map { "\(algorithm.rawValue) \($0)" } }
        if !summary.isEmpty { lines[0] += " (" + summary.joined(separator: ", ") + ")" }
        for id in planned {
            let node = graph[id], choice = choices[id]!
            lines.append("  \(id) '\(node.name)' \(node.op) -> \(node.type): \(choice.algorithm.rawValue), \(choice.layout); \(choice.reason)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
