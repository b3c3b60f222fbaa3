import KilnIR

/// The part of a step a node belongs to.
public enum ExecutionPhase: String, Sendable, Hashable, Codable, CaseIterable {
    /// The model's computation (and the loss).
    case forward
    /// The gradients autodiff appended.
    case backward
    /// Gradient clipping and the optimizer's in-place update.
    case update
}

/// Where the phases of a graph begin. Autodiff and the trainer append backward nodes after the
/// forward ones and update nodes after those, so two node indices split a training step.
public struct GraphPhases: Sendable, Hashable {
    /// The index of the first backward node.
    public var backwardStart: Int
    /// The index of the first update node.
    public var updateStart: Int

    /// Creates the split; `updateStart` below `backwardStart` is raised to it.
    public init(backwardStart: Int, updateStart: Int) {
        self.backwardStart = backwardStart
        self.updateStart = max(backwardStart, updateStart)
    }

    /// An inference graph: every node is forward.
    public static let inference = GraphPhases(backwardStart: .max, updateStart: .max)

    /// The phase of `node`.
    public func phase(of node: NodeID) -> ExecutionPhase {
        if node.index < backwardStart { return .forward }
        return node.index < updateStart ? .backward : .update
    }
}
