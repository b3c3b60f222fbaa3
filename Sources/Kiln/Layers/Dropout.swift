import KilnIR

/// Inverted dropout: in training, each element is zeroed with probability `p` and the survivors
/// are scaled by `1/(1 − p)`, so inference is the identity.
///
/// `p` is the probability of *dropping* (PyTorch's convention). The notes use the keep
/// probability (catalog Appendix A item 22): their `keep_prob` is `1 − p` here.
/// Masks come from `random_uniform` under the step's seed, so the same seed gives the same masks.
public func dropout(_ x: Tensor, p: Double, file: String = #fileID, line: Int = #line) -> Tensor {
    let context = x.context
    guard context.isTraining, p > 0 else { return x }
    guard p < 1 else { return x * 0 }
    let mask = context.randomMask(shape: x.shape, keep: 1 - p, file: file, line: line)
    return x.multiplying(mask, file: file, line: line) * (1 / (1 - p))
}

/// DropConnect: in training, each *weight* is zeroed with probability `p` (a fresh mask per step)
/// and the survivors scaled by `1/(1 − p)`; identity at inference.
public func dropConnect(_ weight: Tensor, p: Double, file: String = #fileID, line: Int = #line) -> Tensor {
    dropout(weight, p: p, file: file, line: line)
}

/// Dropout as a layer. See ``dropout(_:p:file:line:)``.
public final class Dropout: Layer {
    /// The drop probability.
    public let p: Double
    public init(p: Double) { self.p = p }
    public func forward(_ x: Tensor) -> Tensor { dropout(x, p: p) }
}

extension GraphContext {
    /// The name of the seed input random masks are drawn from.
    public static let randomSeedInput = "random_seed"

    /// A float32 0/1 mask of `shape` with ones at probability `keep`, from the step's seed and a
    /// stream of its own.
    func randomMask(shape: Shape, keep: Double, file: String, line: Int) -> Tensor {
        let uniform = randomSeed(file: file, line: line).apply(
            "random_uniform", attributes: ["shape": .ints(shape.dimensions), "stream": .int(nextRandomStream())],
            file: file, line: line)
        return uniform.less(uniform.scalar(keep), file: file, line: line)
    }

    /// The step's seed input (an i64 scalar), declared by the first random operation that needs it.
    func randomSeed(file: String, line: Int) -> Tensor {
        graph.node(named: GraphContext.randomSeedInput).map { Tensor(context: self, id: $0.id) }
            ?? input(GraphContext.randomSeedInput, TensorType(.int64, []), file: file, line: line)
    }
}
