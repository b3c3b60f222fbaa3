import ArgumentParser
import Foundation
import Kiln

/// `kiln train --distributed`: data-parallel training over MPI, one process per rank under `mpirun`.
struct DistributedOptions: ParsableArguments {
    @Flag(help: "Train data-parallel over MPI (run under mpirun -np N): --batch-size is the global batch, split evenly across the ranks; rank 0 prints, saves and reports.")
    var distributed = false

    @Option(parsing: .unconditional, help: "With --distributed: the link bandwidth in Gb/s the end-of-run projection to more ranks assumes.")
    var linkGbps = 10.0

    @Option(parsing: .unconditional, help: "With --distributed: seconds a gradient exchange may wait for the other ranks before the run stops with an error.")
    var collectiveTimeout = 60.0

    @Option(parsing: .unconditional, help: "With --distributed: the gradients are exchanged in buckets of at least this many KiB, each as soon as backward completes it.")
    var bucketKib = Trainer.defaultBucketBytes / 1024

    @Flag(inversion: .prefixedNo, help: "With --distributed: overlap each bucket's exchange with the rest of the backward pass (MPI_Iallreduce, waited for before the update); --no-overlap blocks in MPI_Allreduce instead.")
    var overlap = true

    @Flag(help: "With --distributed and overlap: call MPI_Test between the step's kernels while an exchange is in flight, so Open MPI progresses it during the backward pass.")
    var pollBetweenKernels = false

    @Flag(help: "With --distributed: print every step's compute time, exchange time and bytes (rank 0's).")
    var verbose = false

    @Option(help: "Write the loss of every step (averaged over the ranks when distributed), one a line, to FILE.")
    var lossLog: String?

    func validate() throws {
        try reportingErrors {
            try NumericOptions.positiveFinite("--link-gbps", linkGbps)
            try NumericOptions.positiveFinite("--collective-timeout", collectiveTimeout)
            try NumericOptions.positive("--bucket-kib", bucketKib)
        }
    }

    /// The job's communicator with --distributed (initializing MPI), nil otherwise.
    func communicator() throws(KilnError) -> Communicator? {
        guard distributed else { return nil }
        let communicator = try Communicator.world(timeout: collectiveTimeout)
        communicator.pollsBetweenKernels = pollBetweenKernels
        return communicator
    }
}

/// What rank 0 prints about a distributed run: how the data divides, and at the end the measured
/// throughput and a projection to more ranks.
struct DistributedSummary {
    let communicator: Communicator
    /// Rows (or sequences) per rank per step.
    let localBatch: Int

    /// How the training data divides into global batches, and what is left out of each epoch.
    func split(count: Int, unit: String) -> String {
        let global = localBatch * communicator.size
        let left = count % global
        return "distributed over \(communicator.size) ranks: \(count) \(unit) = \(count / global) global batches of \(global) "
            + "(\(localBatch) per rank) per epoch" + (left > 0 ? ", the last \(left) \(unit) of each shuffled epoch left out" : "")
    }

    /// One step's compute and exchange time and bytes, for --verbose.
    func stepLine(_ number: Int, _ step: StepExchange) -> String {
        String(format: "step %d: compute %.2f ms, exchange %.2f ms (finishing %.2f ms), ",
               number, step.computeSeconds * 1e3, step.exchangeSeconds * 1e3, step.finishSeconds * 1e3)
            + "\(Self.bytes(Double(step.bytes))) in \(step.allReduces) all-reduce\(step.allReduces == 1 ? "" : "s")"
    }

    /// The throughput measured over `steps` in `seconds`, the median compute and exchange time and
    /// bytes per step, and the projection to more ranks at `linkGbps` from the ring all-reduce's
    /// traffic.
    func report(steps: [StepExchange], seconds: Double, linkGbps: Double, overlapped: Bool) -> [String] {
        guard let median = StepExchange.medians(steps), seconds > 0 else { return [] }
        let size = communicator.size
        let compute = median.computeSeconds
        let bytes = Double(median.bytes)
        var lines = [
            String(format: "throughput: %.0f examples/s over %d ranks (%d steps)", Double(steps.count * localBatch * size) / seconds, size, steps.count),
            String(format: "per step (median of %d): compute %.2f ms, exchange %.2f ms waiting in the exchange, ",
                   steps.count, compute * 1e3, median.exchangeSeconds * 1e3)
                + (overlapped ? String(format: "overlapped with backward, %.2f ms of it finishing the buckets", median.finishSeconds * 1e3) : "blocking")
                + " (\(median.allReduces) all-reduce\(median.allReduces == 1 ? "" : "s"), \(Self.bytes(bytes)) per rank)",
        ]
        let bytesPerSecond = linkGbps * 1e9 / 8
        let projected = [2, 4, 8, 16, 32, 64].map { ranks -> String in
            let traffic = 2 * Double(ranks - 1) / Double(ranks) * bytes
            let step = compute + traffic / bytesPerSecond
            return String(format: "%d ranks %.0f examples/s (%.0f%% exchange)", ranks, Double(ranks * localBatch) / step, 100 * (step - compute) / step)
        }
        lines.append(String(format: "projection at %g Gb/s", linkGbps)
            + " (this compute time per step, ring all-reduce moving 2(N-1)/N x \(Self.bytes(bytes)) per rank, not overlapped, latency ignored): "
            + projected.joined(separator: ", "))
        return lines
    }

    private static func bytes(_ count: Double) -> String {
        count >= 1_048_576 ? String(format: "%.1f MiB", count / 1_048_576) : String(format: "%.1f KiB", count / 1024)
    }
}
