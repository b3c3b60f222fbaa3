import KilnIR

extension GraphContext {
    /// Gives a fixed graph (an imported or parsed classifier without a loss) a cross-entropy loss
    /// on its logits, so that its parameters can be fine-tuned: the logits are the output `y`
    /// (or the only output) of shape [N, classes], and an input `labels` [N] is added.
    func addClassificationLoss() throws(KilnError) {
        let outputs = graph.outputs
        guard let logits = outputs.first(where: { $0.name == "y" }) ?? (outputs.count == 1 ? outputs[0] : nil) else {
            throw .invalidArgument(
                "graph '\(graph.name)' has no 'loss' output and no single output (or output 'y') to attach a classification loss to")
        }
        let type = graph[logits.node].type
        guard type.shape.rank == 2, type.dtype == .float32 else {
            throw .invalidArgument("to fine-tune graph '\(graph.name)', its output '\(logits.name)' must be [N, classes] logits, not \(type)")
        }
        let labels = input("labels", TensorType(.float32, [type.shape[0]]), file: "", line: 0)
        if logits.name != "y" { output("y", Tensor(context: self, id: logits.node)) }
        loss(crossEntropy(Tensor(context: self, id: logits.node), labels: labels))
    }
}
