import KilnIR
import KilnOps

extension GraphContext {
    /// Runs a `GraphBuilder` composite (layer norm, channel shuffle, ...) at the user's location;
    /// on error records it and returns `fallback` so that building goes on.
    func composite(
        fallback: Tensor, file: String?, line: Int?, _ body: (inout GraphBuilder) throws(KilnError) -> NodeID
    ) -> Tensor {
        let saved = builder.provenance
        builder.provenance = provenance(file: file, line: line)
        defer { builder.provenance = saved }
        do {
            return Tensor(context: self, id: try body(&builder))
        } catch {
            record(error)
            return fallback
        }
    }

    /// Like `composite`, for composites with several outputs.
    func composites(
        fallback: Tensor, count: Int, file: String?, line: Int?, _ body: (inout GraphBuilder) throws(KilnError) -> [NodeID]
    ) -> [Tensor] {
        let saved = builder.provenance
        builder.provenance = provenance(file: file, line: line)
        defer { builder.provenance = saved }
        do {
            return try body(&builder).map { Tensor(context: self, id: $0) }
        } catch {
            record(error)
            return Array(repeating: fallback, count: count)
        }
    }
}

extension GraphContext {
    /// Like `composite`, for composites whose result is not one node (an attention's output and
    /// weights, a recurrent state): the result, or nil after recording the error. Checks that
    /// `inputs` belong to this graph.
    func compositeResult<Result>(
        _ inputs: [Tensor], file: String?, line: Int?, _ body: (inout GraphBuilder) throws(KilnError) -> Result
    ) -> Result? {
        for input in inputs where input.context !== self {
            record(.invalidArgument("input '\(input.name)' belongs to another model's graph"))
            return nil
        }
        let saved = builder.provenance
        builder.provenance = provenance(file: file, line: line)
        defer { builder.provenance = saved }
        do {
            return try body(&builder)
        } catch {
            record(error)
            return nil
        }
    }
}

extension Layer {
    /// Runs `body` as a call of this layer, like `callAsFunction`: the layer's name on the nodes
    /// and the caller's `file` and `line`. For layers called with several inputs.
    func calling<Result>(_ context: GraphContext, file: String, line: Int, _ body: () -> Result) -> Result {
        context.within(self, file: file, line: line, body)
    }
}
