import KilnIR

extension GraphBuilder {
    /// Appends a float32 constant of `shape` holding `values` (one value fills the shape).
    public mutating func constant(_ values: [Double], shape: Shape, name: String = "const") -> NodeID {
        leaf(Node.constantOp, type: TensorType(.float32, shape), name: name, attributes: ["value": .floats(values)])
    }

    /// The positions `0, 1, ..., count − 1` as a float32 constant of `shape` (whose element count
    /// is `count`): `[count, 1]` for rows, `[count]` for columns.
    public mutating func positions(_ count: Int, shape: Shape) -> NodeID {
        constant((0..<count).map(Double.init), shape: shape, name: "positions")
    }
}
