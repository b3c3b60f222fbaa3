import KilnIR

/// The checks the attention composites share, each reporting a `ShapeError` that names the input
/// (by its index in the composite's argument list and its role), its shape and what was expected.
struct AttentionGeometry {
    /// The composite reported in errors (`scaled_dot_product_attention`).
    let op: String

    /// Checks that `type` (input `index`, playing `role`) is float32 of rank 2 or more:
    /// `[..., positions, features]`.
    func requireSequence(_ type: TensorType, index: Int, role: String) throws(ShapeError) {
        guard type.dtype == .float32, type.shape.rank >= 2 else {
            throw ShapeError("input \(index) (\(role)) is \(type); expected f32 of rank 2 or more ([..., positions, features])")
        }
    }

    /// The scores' shape `[batch..., queries, keys]` of `query` (input 0) against `key` (input 1),
    /// after checking that both are sequences with the same feature count and broadcasting batch
    /// dimensions.
    func scoresShape(query: TensorType, key: TensorType) throws(ShapeError) -> Shape {
        try requireSequence(query, index: 0, role: "queries")
        try requireSequence(key, index: 1, role: "keys")
        let features = query.shape.dimensions.last!
        guard key.shape.dimensions.last! == features else {
            throw ShapeError(
                "input 1 (keys) has shape \(key.shape); expected \(features) features on its last axis, like input 0 (queries) of shape \(query.shape)")
        }
        let queryBatch = Shape(Array(query.shape.dimensions.dropLast(2)))
        let keyBatch = Shape(Array(key.shape.dimensions.dropLast(2)))
        guard let batch = Shape.broadcast(queryBatch, keyBatch) else {
            throw ShapeError(
                "the batch dimensions \(queryBatch) of input 0 (queries) and \(keyBatch) of input 1 (keys) do not broadcast")
        }
        return Shape(batch.dimensions + [query.shape[query.shape.rank - 2], key.shape[key.shape.rank - 2]])
    }

    /// Checks that `value` (input `index`) has one row per key of `key` (input 1) and a batch
    /// that broadcasts with the scores'.
    func checkValues(_ value: TensorType, index: Int, key: TensorType, scores: Shape) throws(ShapeError) {
        try requireSequence(value, index: index, role: "values")
        let keys = key.shape[key.shape.rank - 2]
        guard value.shape[value.shape.rank - 2] == keys else {
            throw ShapeError(
                "input \(index) (values) has shape \(value.shape); expected \(keys) positions on axis -2, like input 1 (keys) of shape \(key.shape)")
        }
        let valueBatch = Shape(Array(value.shape.dimensions.dropLast(2)))
        let scoresBatch = Shape(Array(scores.dimensions.dropLast(2)))
        guard Shape.broadcast(valueBatch, scoresBatch) != nil else {
            throw ShapeError(
                "the batch dimensions \(valueBatch) of input \(index) (values) do not broadcast with \(scoresBatch) of the queries and keys")
        }
    }

    /// Checks that `mask` (input `index`) is a float32 0/1 mask whose shape broadcasts to
    /// `scores` without enlarging it.
    func checkMask(_ mask: TensorType, index: Int, scores: Shape) throws(ShapeError) {
        guard mask.dtype == .float32 else {
            throw ShapeError("input \(index) (mask) is \(mask); expected an f32 mask of 0 and 1")
        }
        guard Shape.broadcast(mask.shape, scores) == scores else {
            throw ShapeError(
                "input \(index) (mask) has shape \(mask.shape); expected a shape that broadcasts to the scores \(scores) ([batch..., queries, keys])")
        }
    }
}

extension GraphBuilder {
    /// Runs a shape check of composite `op` and reports its failure as a `KilnError` naming the
    /// composite, the current layer, `inputs`' types and the user's line.
    func checking<Value>(
        _ op: String, _ inputs: [NodeID], _ body: () throws(ShapeError) -> Value
    ) throws(KilnError) -> Value {
        do {
            return try body()
        } catch {
            throw compositeError(op, inputs, error.message)
        }
    }
}
