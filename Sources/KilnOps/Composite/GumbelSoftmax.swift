import KilnIR

extension GraphBuilder {
    /// Gumbel-softmax (Jang et al. 2017; the notes' differentiable hard attention, S2:21): a sample
    /// from the categorical distribution softmax(`logits`) along `axis`, relaxed so that it has a
    /// gradient,
    ///
    ///     y = softmax((logits + g)/τ),  g = −log(−log u),  u ~ U(0, 1) per element,
    ///
    /// with temperature τ (`temperature`; small τ gives nearly one-hot samples, large τ nearly
    /// uniform ones). With `hard`, the value is the one-hot vector of y's maximum along `axis` (the
    /// first on ties) and the gradient is y's: the straight-through estimator
    /// `y + stop_gradient(one_hot − y)`, as PyTorch's `gumbel_softmax(hard=True)`.
    ///
    /// The uniform numbers come from `random_uniform` under `seed` (an i64 scalar) and `stream`,
    /// so a step draws the same noise in the C and in the reference interpreter. They are kept at
    /// or above 2⁻²⁴ so that the noise is finite (the Gumbel tail below −2.8 is cut, at
    /// probability 10⁻⁷). Without a seed there is no noise (g = 0): softmax(logits/τ), or with
    /// `hard` the one-hot vector of the logits' maximum, the form a model uses at inference.
    ///
    /// - Throws: when `logits` is not float32 of rank 1 or more, `axis` is out of range, or the
    ///   temperature is not a positive finite number.
    public mutating func gumbelSoftmax(
        _ logits: NodeID, seed: NodeID?, stream: Int = 0, temperature: Double = 1, hard: Bool = false, axis: Int = -1
    ) throws(KilnError) -> NodeID {
        let op = "gumbel_softmax"
        let inputs = [logits] + (seed.map { [$0] } ?? [])
        let logitsType = type(of: logits)
        let rank = logitsType.shape.rank
        guard logitsType.dtype == .float32, rank >= 1 else {
            throw compositeError(op, inputs, "input 0 (the logits) is \(logitsType); expected float32 of rank 1 or more")
        }
        if let seed, type(of: seed) != TensorType(.int64, []) {
            throw compositeError(op, inputs, "input 1 (the seed) is \(type(of: seed)); expected an i64 scalar")
        }
        guard (-rank..<rank).contains(axis) else {
            throw compositeError(op, inputs, "axis \(axis) is out of range for logits of shape \(logitsType.shape)")
        }
        guard temperature.isFinite, temperature > 0 else {
            throw compositeError(op, inputs, "the temperature \(temperature) must be a positive finite number")
        }
        let axis = axis < 0 ? axis + rank : axis
        var perturbed = logits
        if let seed {
            let uniform = try add(
                "random_uniform", [seed], attributes: ["shape": .ints(logitsType.shape.dimensions), "stream": .int(stream)])
            let positive = try add("maximum", [uniform, scalar(0x1p-24)])
            let noise = try add("neg", [try add("log", [try add("neg", [try add("log", [positive])])])])
            perturbed = try add("add", [logits, noise])
        }
        let scaled = temperature == 1 ? perturbed : try add("mul", [perturbed, scalar(1 / temperature)])
        let soft = try add("softmax", [scaled], attributes: ["axis": .int(axis)])
        guard hard else { return soft }
        let oneHot = try self.oneHot(ofMaximumOf: soft, axis: axis)
        let correction = try add("stop_gradient", [try add("sub", [oneHot, soft])])
        return try add("add", [soft, correction])
    }

    /// The float32 one-hot tensor of the maximum of `x` along `axis` (the first on ties), of x's shape.
    mutating func oneHot(ofMaximumOf x: NodeID, axis: Int) throws(KilnError) -> NodeID {
        let shape = type(of: x).shape
        let position = try add("argmax", [x], attributes: ["axes": .ints([axis]), "keepdims": .bool(false)])
        let oneHot = try add("one_hot", [position], attributes: ["depth": .int(shape[axis])])
        guard axis != shape.rank - 1 else { return oneHot }
        // one_hot appends its axis last: move it back to `axis`.
        var permutation = Array(0..<(shape.rank - 1))
        permutation.insert(shape.rank - 1, at: axis)
        return try add("transpose", [oneHot], attributes: ["perm": .ints(permutation)])
    }
}
