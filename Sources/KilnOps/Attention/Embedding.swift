import KilnIR

extension GraphBuilder {
    /// Embedding lookup: the rows of `table` (`[vocabulary, dimension]`, float32) picked by the
    /// integer token ids `indices` (any shape `S`, i64 or i32), giving `S + [dimension]`. Ids
    /// outside the vocabulary give NaN rows (see `gather`).
    ///
    /// A composite: one `gather` on axis 0. Its gradient scatters the output gradient back into
    /// the rows that were read (`gather_grad`), adding up repeated tokens.
    ///
    /// - Throws: when the ids are not integers or the table is not a float32 matrix.
    public mutating func embedding(_ indices: NodeID, table: NodeID) throws(KilnError) -> NodeID {
        let (indexType, tableType) = (type(of: indices), type(of: table))
        guard indexType.dtype.isInteger else {
            throw compositeError("embedding", [indices, table], "input 0 (token ids) is \(indexType); expected i64 or i32")
        }
        guard tableType.dtype == .float32, tableType.shape.rank == 2 else {
            throw compositeError(
                "embedding", [indices, table], "input 1 (table) is \(tableType); expected f32[vocabulary, dimension]")
        }
        return try add("gather", [table, indices], attributes: ["axis": .int(0)])
    }
}
