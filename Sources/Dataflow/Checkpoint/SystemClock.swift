#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Processing time, for what is scheduled by the clock on the wall rather than by
/// event time: checkpoint intervals (monotonic) and checkpoint timestamps (real time).
public enum SystemClock {
    /// Milliseconds on a clock that never jumps (intervals).
    public static func monotonicMs() -> Int64 { milliseconds(CLOCK_MONOTONIC) }

    /// Milliseconds since the epoch (timestamps for people).
    public static func wallMs() -> Int64 { milliseconds(CLOCK_REALTIME) }

    static func milliseconds(_ clock: clockid_t) -> Int64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    static func microseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
    }
}
