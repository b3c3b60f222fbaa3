/// Error measures for comparing computed tensors with reference values.
///
/// Elementwise closeness `|a − e| ≤ absolute + relative·|e|` is reflexive and symmetric in spirit
/// but not transitive: never use it for equality of values.
public enum Approximate {
    /// `max |a − e| / max |e|`: the error relative to the reference's magnitude, which does not blow
    /// up on elements that happen to be near zero (0 when both are all zeros).
    public static func normwiseRelativeError(_ actual: [Double], _ expected: [Double]) -> Double {
        let scale = expected.map(abs).max() ?? 0
        let worst = zip(actual, expected).map { abs($0 - $1) }.max() ?? 0
        if scale == 0 { return worst }
        return worst / scale
    }

    /// nil when every element is close; otherwise a message naming the first differing element,
    /// the worst error, and the shapes.
    public static func mismatch(
        _ actual: [Double], _ expected: [Double], relative: Double = 1e-5, absolute: Double = 1e-6
    ) -> String? {
        guard actual.count == expected.count else {
            return "element counts differ: \(actual.count) computed, \(expected.count) expected"
        }
        var first: Int?
        var worst = 0.0
        for (index, (a, e)) in zip(actual, expected).enumerated() {
            let error = Swift.abs(a - e)
            let bound = absolute + relative * Swift.abs(e)
            let bad = !(error <= bound) && !(a.isNaN && e.isNaN) && !(a == e)
            if bad {
                if first == nil { first = index }
                worst = Swift.max(worst, error.isNaN ? .infinity : error)
            }
        }
        guard let first else { return nil }
        return "element \(first): computed \(actual[first]), expected \(expected[first]); worst absolute error \(worst)"
    }

    /// The largest relative error `|a − e| / max(|e|, floor)`.
    public static func maxRelativeError(_ actual: [Double], _ expected: [Double], floor: Double = 1e-6) -> Double {
        zip(actual, expected).map { Swift.abs($0 - $1) / Swift.max(Swift.abs($1), floor) }.max() ?? 0
    }
}
