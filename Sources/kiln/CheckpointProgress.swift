import Kiln

/// How far a checkpoint written by `kiln train --save` had trained: its `epochs_done` and
/// `steps_taken` metadata, each a whole number from 0 to 2^53 (a missing one counts as 0), so
/// that a resumed run never starts from a negative epoch or overflows its step counter.
struct CheckpointProgress {
    /// Epochs completed.
    var epochsDone: Int
    /// Training steps taken.
    var stepsTaken: Int

    /// The largest count accepted: far beyond any run, and every later step still fits an `Int`.
    static let largest = 1 << 53

    /// Reads the counts from `metadata`, or throws an error naming `path` and the bad field.
    init(_ metadata: [String: String], path: String) throws(KilnError) {
        func count(_ key: String) throws(KilnError) -> Int {
            guard let text = metadata[key] else { return 0 }
            guard let value = Int(text), (0...Self.largest).contains(value) else {
                throw .io(path: path, message: "checkpoint metadata \(key) is '\(text.escapingControlCharacters)'; expected a whole number from 0 to \(Self.largest)")
            }
            return value
        }
        epochsDone = try count("epochs_done")
        stepsTaken = try count("steps_taken")
    }
}
