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
