import Foundation
import Kiln
import KilnIR

/// Runs compiled code from several threads at once and checks that every result equals the one a
/// serial run computes: shared executables called from every thread (each call is atomic on its
/// executable), and trainers compiled and stepped by each thread on its own. The models call
/// OpenBLAS (matrix products, convolutions), libm (softmax, GELU) and tcc-compiled loops, and the
/// threads compile while others run, so libtcc's global state, OpenBLAS's buffer pool and thread
/// server and Kiln's arenas are all exercised concurrently.
public enum ConcurrencyStress {
    /// What one stress run found.
    public struct Report: Sendable {
        /// Calls made in total (inference calls and training steps).
        public var calls = 0
        /// Calls whose outputs differed from the serial run's, described.
        public var mismatches: [String] = []
        /// Errors thrown by any thread.
        public var errors: [String] = []
    }

    /// The models of the stress: an MLP (sgemm), a small convolutional network and a GELU
    /// feed-forward block with a layer norm, each at a batch large enough for OpenBLAS to thread.
    static func models() -> [Model] {
        [
            Model("stress_mlp", seed: 1) { g in
                let x = g.input("x", [32, 256])
                let net = Sequential { Linear(256, 384, name: "fc1"); ReLU(); Linear(384, 384, name: "fc2"); ReLU(); Linear(384, 10, name: "fc3") }
                g.output("y", softmax(net(x)))
            },
            Model("stress_cnn", seed: 2) { g in
                let x = g.input("x", [4, 3, 24, 24])
                let net = Sequential {
                    Conv2d(3, 16, kernel: 3, name: "conv1"); ReLU(); MaxPool2d(kernel: 2)
                    Conv2d(16, 32, kernel: 3, name: "conv2"); ReLU(); Flatten()
                    Linear(32 * 12 * 12, 10, name: "fc")
                }
                g.output("y", net(x))
            },
            Model("stress_ffn", seed: 3) { g in
                let x = g.input("x", [64, 128])
                let block = Sequential { LayerNorm(128, name: "norm"); FeedForward(dModel: 128, hidden: 512, activation: .gelu, name: "ffn") }
                g.output("y", x + block(x))
            },
        ]
    }

    /// A classifier trained with SGD, for the per-thread trainers.
    static func trainingModel() -> Model {
        Model("stress_train", seed: 4) { g in
            let x = g.input("x", [32, 64])
            let logits = Sequential { Linear(64, 256, name: "fc1"); ReLU(); Linear(256, 10, name: "fc2") }(x)
            g.output("y", logits)
            g.loss(crossEntropy(logits, labels: g.input("labels", [32])))
        }
    }

    /// Random inputs for `graph`, one set per seed; integer-valued (labels) where an input is
    /// named `labels`.
    static func inputs(_ graph: Graph, seed: UInt64) -> [String: TensorValue] {
        var feed: [String: TensorValue] = [:]
        for (index, node) in graph.inputs.enumerated() {
            let value = TensorValue.random(node.type, seed: seed &* 31 &+ UInt64(index), low: -1, high: 1)
            feed[node.name] = node.name == "labels"
                ? TensorValue(shape: node.type.shape, floats: value.floats.map { Float(Int(($0 + 1) * 5) % 10) }) : value
        }
        return feed
    }

    /// Runs `threads` threads making `calls` calls each (alternating over the shared executables,
    /// and `trainingSteps` steps of a trainer that each thread compiles itself) and compares every
    /// result with the serial one, bit for bit.
    public static func run(threads: Int, calls: Int, trainingSteps: Int = 4) throws -> Report {
        let executables = try models().map { try $0.compile() }
        let feeds = 3
        let expected = try executables.map { executable in
            try (0..<feeds).map { try executable.run(inputs(executable.graph, seed: UInt64($0))) }
        }
        let trainingModel = trainingModel()
        let serialTrainer = try Trainer(model: trainingModel, optimizer: SGD(), learningRate: 0.05)
        let trainingFeed = inputs(serialTrainer.graph, seed: 9).filter { $0.key != Trainer.learningRateInput }
        let expectedLosses = try (0..<trainingSteps).map { _ in try serialTrainer.train(trainingFeed)["loss"] }

        let report = LockedReport()
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            do {
                let trainer = try Trainer(model: trainingModel, optimizer: SGD(), learningRate: 0.05)
                var step = 0
                for call in 0..<calls {
                    let which = (thread + call) % executables.count, feed = (thread * 7 + call) % feeds
                    let outputs = try executables[which].run(inputs(executables[which].graph, seed: UInt64(feed)))
                    report.record(call: outputs == expected[which][feed]
                        ? nil : "thread \(thread) call \(call): \(executables[which].graph.name) on feed \(feed) differs from the serial run")
                    if step < trainingSteps, call % max(calls / trainingSteps, 1) == 0 {
                        let loss = try trainer.train(trainingFeed)["loss"]
                        report.record(call: loss == expectedLosses[step]
                            ? nil : "thread \(thread) training step \(step): loss \(String(describing: loss?.floats)) "
                                + "against \(String(describing: expectedLosses[step]?.floats)) serially")
                        step += 1
                    }
                }
            } catch {
                report.record(error: "thread \(thread): \(error)")
            }
        }
        return report.report
    }
}

/// The report, filled from several threads.
private final class LockedReport: @unchecked Sendable {
    private let lock = NSLock()
    private var value = ConcurrencyStress.Report()

    var report: ConcurrencyStress.Report { lock.withLock { value } }

    func record(call mismatch: String?) {
        lock.withLock {
            value.calls += 1
            if let mismatch { value.mismatches.append(mismatch) }
        }
    }

    func record(error: String) { lock.withLock { value.errors.append(error) } }
}
