import KilnIR

/// Checks of a loss's inputs, made before the loss builds any node, so that a misfit is reported
/// in the loss's own terms at the caller's line (`crossEntropy at App/Train.swift:42: labels have
/// shape [5] but logits have batch 4`) rather than by a node deep inside it. A failed check records
/// the error (the first one wins, as for every DSL error); the loss goes on building, and
/// `compile()` throws the recorded error.
enum LossInputs {
    /// Class labels for `scores` of shape `[..., C]`: `labels` has the scores' shape without the
    /// class axis and holds float32 or integer class indices.
    static func checkClassLabels(_ loss: String, scores: Tensor, scoresName: String = "logits", labels: Tensor, file: String, line: Int) {
        let dimensions = scores.shape.dimensions
        guard let classes = dimensions.last else {
            return fail(loss, scores, file: file, line: line, "\(scoresName) are a scalar; expected [batch, classes]")
        }
        let batch = Array(dimensions.dropLast())
        if labels.shape.dimensions != batch {
            let batchText = batch.count == 1 ? "batch \(batch[0])" : "batch shape \(Shape(batch))"
            return fail(loss, scores, file: file, line: line,
                        "labels have shape \(labels.shape) but \(scoresName) \(scores.shape) have \(batchText) (and \(classes) classes)")
        }
        guard labels.type.dtype == .float32 || labels.type.dtype.isInteger else {
            return fail(loss, scores, file: file, line: line, "labels are \(labels.type); expected class indices (float32 or an integer type)")
        }
    }

    /// Two inputs the loss compares element by element: same shape.
    static func checkSameShape(_ loss: String, _ a: Tensor, _ aName: String, _ b: Tensor, _ bName: String, file: String, line: Int) {
        guard a.shape != b.shape else { return }
        fail(loss, a, file: file, line: line, "\(bName) has shape \(b.shape) but \(aName) has shape \(a.shape); expected the same shape")
    }

    private static func fail(_ loss: String, _ anchor: Tensor, file: String, line: Int, _ message: String) {
        let location = anchor.context.provenance(file: file, line: line)
        let place = location.file.isEmpty ? "" : " at \(location.file):\(location.line)"
        anchor.context.record(.invalidArgument("\(loss)\(place): \(message)"))
    }
}
