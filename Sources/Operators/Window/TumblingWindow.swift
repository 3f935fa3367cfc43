/// Tumbling event-time windows `[start, start + size)` aligned to the epoch, and how
/// long a window still takes records after it fired.
public struct TumblingWindow: Sendable, Hashable {
    public let sizeMs: Int64
    public let allowedLatenessMs: Int64

    public init(sizeMs: Int64, allowedLatenessMs: Int64 = 0) {
        precondition(sizeMs > 0, "a window must have a positive size")
        precondition(allowedLatenessMs >= 0, "allowed lateness cannot be negative")
        self.sizeMs = sizeMs
        self.allowedLatenessMs = allowedLatenessMs
    }

    /// Start of the window holding `t` (floor division, also for times before the epoch).
    @inlinable
    public func start(containing t: Int64) -> Int64 {
        let r = t % sizeMs
        return r < 0 ? t - r - sizeMs : t - r
    }

    @inlinable
    public func end(containing t: Int64) -> Int64 { start(containing: t) &+ sizeMs }

    /// The watermark at which a window ending at `end` stops taking late records.
    @inlinable
    public func cleanupTime(ofWindowEndingAt end: Int64) -> Int64 {
        let (sum, overflow) = end.addingReportingOverflow(allowedLatenessMs)
        return overflow ? .max : sum
    }
}
