import Foundation
import KilnIR

/// Examples with a feature vector and a class label each, in memory.
public struct LabeledDataset: Sendable {
    /// The features, row after row (`count × featureCount`).
    public var features: [Float]
    /// The class of each row, in `0..<classCount`.
    public var labels: [Int]
    /// Features per row.
    public var featureCount: Int
    /// The number of classes.
    public var classCount: Int

    /// The number of rows.
    public var count: Int { labels.count }

    /// Creates a dataset.
    public init(features: [Float], labels: [Int], featureCount: Int, classCount: Int) {
        self.features = features
        self.labels = labels
        self.featureCount = featureCount
        self.classCount = classCount
    }

    /// The rows at `indices` as a `[rows, featureShape...]` feature tensor and a `[rows]` label
    /// tensor (float32 class indices); rows past the end of `indices` (up to `paddedTo`) are zeros.
    public func batch(_ indices: some Collection<Int>, featureShape: [Int], paddedTo rows: Int? = nil) -> (features: TensorValue, labels: TensorValue) {
        let rowCount = rows ?? indices.count
        var x = [Float](repeating: 0, count: rowCount * featureCount)
        var y = [Float](repeating: 0, count: rowCount)
        for (row, index) in indices.enumerated() {
            x.replaceSubrange(row * featureCount..<(row + 1) * featureCount,
                              with: features[index * featureCount..<(index + 1) * featureCount])
            y[row] = Float(labels[index])
        }
        return (TensorValue(shape: Shape([rowCount] + featureShape), floats: x), TensorValue(shape: [rowCount], floats: y))
    }

    /// The row order of epoch `epoch`: a shuffle seeded by `seed` and the epoch number.
    public func shuffledOrder(seed: UInt64, epoch: Int) -> [Int] {
        var generator = SeededGenerator(seed: seed, stream: "epoch \(epoch)")
        var order = Array(0..<count)
        for index in stride(from: count - 1, to: 0, by: -1) {
            let other = Int(generator.next() % UInt64(index + 1))
            order.swapAt(index, other)
        }
        return order
    }
}
