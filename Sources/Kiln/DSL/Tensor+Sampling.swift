import KilnIR
import KilnOps

/// `x` forward, no gradient backward (PyTorch's `detach`, JAX's `stop_gradient`).
public func stopGradient(_ x: Tensor, file: String = #fileID, line: Int = #line) -> Tensor {
    x.apply("stop_gradient", file: file, line: line)
}

/// Gumbel-softmax over `axis`: in training, a relaxed sample softmax((logits + g)/τ) of the
/// categorical distribution softmax(logits), with Gumbel noise g drawn from the step's seed;
/// with `hard`, the sample's one-hot vector forward and the relaxed sample's gradient backward
/// (straight-through). A model built for inference draws no noise: softmax(logits/τ), or with
/// `hard` the one-hot vector of the logits' maximum. See `GraphBuilder.gumbelSoftmax`.
public func gumbelSoftmax(
    _ logits: Tensor, temperature: Double = 1, hard: Bool = false, axis: Int = -1,
    file: String = #fileID, line: Int = #line
) -> Tensor {
    let context = logits.context
    let seed = context.isTraining ? context.randomSeed(file: file, line: line) : nil
    let stream = context.isTraining ? context.nextRandomStream() : 0
    return context.composite(fallback: logits, file: file, line: line) { builder throws(KilnError) in
        try builder.gumbelSoftmax(logits.id, seed: seed?.id, stream: stream, temperature: temperature, hard: hard, axis: axis)
    }
}

extension Tensor {
    /// `stopGradient` as a method.
    public func stopGradient(file: String = #fileID, line: Int = #line) -> Tensor {
        Kiln.stopGradient(self, file: file, line: line)
    }

    /// `gumbelSoftmax` as a method.
    public func gumbelSoftmax(
        temperature: Double = 1, hard: Bool = false, axis: Int = -1, file: String = #fileID, line: Int = #line
    ) -> Tensor {
        Kiln.gumbelSoftmax(self, temperature: temperature, hard: hard, axis: axis, file: file, line: line)
    }
}
