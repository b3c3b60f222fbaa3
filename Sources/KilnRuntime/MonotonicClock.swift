import Foundation

/// Seconds on the monotonic clock (`clock_gettime(CLOCK_MONOTONIC)`), for timing kernels and compile phases.
public enum MonotonicClock {
    /// Seconds since an arbitrary fixed point.
    public static func seconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}
