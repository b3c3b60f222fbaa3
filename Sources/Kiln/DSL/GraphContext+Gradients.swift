import KilnIR
import KilnPasses

extension GraphContext {
    /// The gradient of the scalar `loss` with respect to each of `targets` (inputs, parameters or
    /// any float32 tensor of this graph), as tensors of the targets' shapes: reverse-mode
    /// differentiation appends the backward nodes to the graph being built.
    ///
    /// The gradients are ordinary tensors, so a function of them can be differentiated again
    /// (a second derivative) wherever the backward operators have gradient rules of their own;
    /// where one has none, building records an error naming it.
    public func gradients(of loss: Tensor, wrt targets: [Tensor], file: String = #fileID, line: Int = #line) -> [Tensor] {
        let saved = builder.provenance
        builder.provenance = provenance(file: file, line: line)
        defer { builder.provenance = saved }
        do {
            return try builder.gradients(of: loss.id, wrt: targets.map(\.id)).map { Tensor(context: self, id: $0) }
        } catch {
            record(error)
            return targets
        }
    }
}
