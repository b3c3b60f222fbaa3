import KilnIR

/// Checks a gradient against float64 central differences of the function it claims to differentiate.
///
/// Small tensors (at most `elementwiseLimit` elements) are checked element by element: each
/// partial derivative from (f(x + hᵢeᵢ) − f(x − hᵢeᵢ)) / 2hᵢ. Larger ones are checked along one
/// random direction t: the central difference of f along t against ⟨t, gradient⟩.
/// Steps are relative: h = `relativeStep`·max(1, |x|).
public enum FiniteDifferences {
    /// Tensors with at most this many elements are checked element by element.
    public static let elementwiseLimit = 64

    /// How close a gradient must be: |analytic − numeric| ≤ absolute + relative·max(|analytic|, |numeric|).
    public struct Tolerance: Sendable {
        /// The relative part.
        public var relative: Double
        /// The absolute part.
        public var absolute: Double

        /// Creates a tolerance.
        public init(relative: Double, absolute: Double) {
            self.relative = relative
            self.absolute = absolute
        }

        /// For float64 central differences with a 1e-6 relative step.
        public static let float64 = Tolerance(relative: 1e-6, absolute: 1e-7)
    }

    /// The central difference of `f` at `x` along `direction` with step `step`.
    public static func directionalDerivative<E: Error>(
        _ f: ([Double]) throws(E) -> Double, at x: [Double], along direction: [Double], step: Double
    ) throws(E) -> Double {
        let forward = zip(x, direction).map { $0 + step * $1 }
        let backward = zip(x, direction).map { $0 - step * $1 }
        return (try f(forward) - f(backward)) / (2 * step)
    }

    /// nil when `gradient` matches the central differences of `f` at `x`; otherwise a message with
    /// the first mismatching element (or the direction's result) and the worst error.
    ///
    /// - Parameters:
    ///   - seed: seeds the random direction used for large tensors.
    public static func mismatch<E: Error>(
        _ f: ([Double]) throws(E) -> Double, at x: [Double], gradient: [Double],
        tolerance: Tolerance = .float64, relativeStep: Double = 1e-6, seed: UInt64 = 1
    ) throws(E) -> String? {
        guard gradient.count == x.count else {
            return "the gradient has \(gradient.count) elements for \(x.count) inputs"
        }
        if x.count > elementwiseLimit {
            var generator = SeededGenerator(seed: seed, stream: "finite-differences.direction")
            let direction = x.map { _ in generator.uniform(-1, 1) }
            let step = relativeStep * Swift.max(1, x.map(Swift.abs).max() ?? 0)
            let numeric = try directionalDerivative(f, at: x, along: direction, step: step)
            let analytic = zip(direction, gradient).reduce(0) { $0 + $1.0 * $1.1 }
            guard !isClose(analytic, numeric, tolerance) else { return nil }
            return "along a random direction: backward gives \(analytic), finite differences \(numeric)"
        }
        var first: String?
        var worst = 0.0
        for index in x.indices {
            var unit = [Double](repeating: 0, count: x.count)
            unit[index] = 1
            let step = relativeStep * Swift.max(1, Swift.abs(x[index]))
            let numeric = try directionalDerivative(f, at: x, along: unit, step: step)
            guard !isClose(gradient[index], numeric, tolerance) else { continue }
            worst = Swift.max(worst, Swift.abs(gradient[index] - numeric))
            if first == nil {
                first = "element \(index) (at \(x[index])): backward gives \(gradient[index]), finite differences \(numeric)"
            }
        }
        return first.map { "\($0); worst absolute error \(worst)" }
    }

    private static func isClose(_ analytic: Double, _ numeric: Double, _ tolerance: Tolerance) -> Bool {
        let bound = tolerance.absolute + tolerance.relative * Swift.max(Swift.abs(analytic), Swift.abs(numeric))
        return Swift.abs(analytic - numeric) <= bound
    }
}
