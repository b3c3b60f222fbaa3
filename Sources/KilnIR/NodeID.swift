/// Identifies a node of a graph: its index in the graph's topologically ordered node list.
public struct NodeID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The node's position in `Graph.nodes`.
    public var index: Int

    /// Creates an identifier for the node at `index`.
    public init(_ index: Int) { self.index = index }

    public static func < (lhs: NodeID, rhs: NodeID) -> Bool { lhs.index < rhs.index }

    /// `%7`.
    public var description: String { "%\(index)" }
}
