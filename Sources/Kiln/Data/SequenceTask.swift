import KilnIR

/// Sequence-to-sequence tasks whose data Kiln generates from a seed, so that training runs
/// anywhere without a download and a seed gives the same data everywhere.
public enum SequenceTask: String, Sendable, CaseIterable {
    /// Reverse a sequence of decimal digits: `3 1 4 1 5 9 2 6` → `6 2 9 5 1 4 1 3`.
    case reverse

    /// The token vocabulary: the ten digits.
    public var vocabulary: Int { 10 }

    /// The sequence length the task's data and model use.
    public static let defaultLength = 8

    /// The target sequence of `input`.
    public func target(of input: [Int]) -> [Int] {
        switch self {
        case .reverse: input.reversed()
        }
    }

    /// `count` random sequences of `length` tokens and their targets, drawn from `seed` and
    /// `split` (`train` and `test` give disjoint streams).
    public func generate(count: Int, length: Int, seed: UInt64, split: String) -> SequenceDataset {
        var generator = SeededGenerator(seed: seed, stream: "\(rawValue) \(split)")
        var inputs: [Int] = [], targets: [Int] = []
        inputs.reserveCapacity(count * length)
        targets.reserveCapacity(count * length)
        for _ in 0..<count {
            let sequence = (0..<length).map { _ in Int(generator.next() % UInt64(vocabulary)) }
            inputs += sequence
            targets += target(of: sequence)
        }
        return SequenceDataset(inputs: inputs, targets: targets, length: length, vocabulary: vocabulary)
    }

    /// The task's standard split: 8,192 training and 1,024 test sequences of `length` tokens.
    public func load(length: Int = SequenceTask.defaultLength, seed: UInt64) -> (train: SequenceDataset, test: SequenceDataset) {
        (generate(count: 8192, length: length, seed: seed, split: "train"),
         generate(count: 1024, length: length, seed: seed, split: "test"))
    }
}
