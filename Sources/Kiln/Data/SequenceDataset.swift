import KilnIR

/// Token sequences of one fixed length with a target token at every position, in memory.
public struct SequenceDataset: Sendable {
    /// The input tokens, sequence after sequence (`count × length`).
    public var inputs: [Int]
    /// The target tokens, aligned with `inputs`.
    public var targets: [Int]
    /// Positions per sequence.
    public var length: Int
    /// Tokens are in `0 ..< vocabulary`.
    public var vocabulary: Int

    /// Creates a data set; `inputs` and `targets` hold `count × length` tokens each.
    public init(inputs: [Int], targets: [Int], length: Int, vocabulary: Int) {
        self.inputs = inputs
        self.targets = targets
        self.length = length
        self.vocabulary = vocabulary
    }

    /// The number of sequences.
    public var count: Int { length > 0 ? inputs.count / length : 0 }

    /// The sequences at `rows` as an i64 `[rows, length]` token tensor and a float32
    /// `[rows, length]` target tensor (class indices); rows past the end of `rows` (up to
    /// `paddedTo`) are token 0 with target 0.
    public func batch(_ rows: ArraySlice<Int>, paddedTo size: Int? = nil) -> (tokens: TensorValue, targets: TensorValue) {
        let rowCount = size ?? rows.count
        var tokens = [Int64](repeating: 0, count: rowCount * length)
        var labels = [Float](repeating: 0, count: rowCount * length)
        for (row, index) in rows.enumerated() {
            for position in 0..<length {
                tokens[row * length + position] = Int64(inputs[index * length + position])
                labels[row * length + position] = Float(targets[index * length + position])
            }
        }
        return (TensorValue(dtype: .int64, shape: [rowCount, length], integers: tokens),
                TensorValue(shape: [rowCount, length], floats: labels))
    }

    /// The row order of epoch `epoch`: a shuffle seeded by `seed` and the epoch number.
    public func shuffledOrder(seed: UInt64, epoch: Int) -> [Int] {
        var generator = SeededGenerator(seed: seed, stream: "epoch \(epoch)")
        var order = Array(0..<count)
        for index in stride(from: count - 1, to: 0, by: -1) {
            order.swapAt(index, Int(generator.next() % UInt64(index + 1)))
        }
        return order
    }
}
