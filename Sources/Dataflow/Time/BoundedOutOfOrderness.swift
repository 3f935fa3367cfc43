/// The watermark of spec section 0: the largest event time among the records accepted so
/// far, minus a fixed out-of-orderness bound.
///
/// It is fed only the records that count (for the validation stage, the accepted valid
/// transactions), one at a time in input order, so the watermark before each record is
/// a pure function of the input: the same on every run and at every parallelism.
public struct BoundedOutOfOrderness: Sendable {
    public let boundMs: Int64
    /// The largest event time observed so far (`Int64.min` before any).
    public var maxEventTime: Int64 { _maxEventTime }
    @usableFromInline var _maxEventTime: Int64 = .min

    public init(boundMs: Int64) {
        precondition(boundMs >= 0, "the out-of-orderness bound cannot be negative")
        self.boundMs = boundMs
    }

    /// The current watermark (`Watermark.initial` before any record was observed). A
    /// time within the bound of `Int64.min` (a clock mark can say anything) gives the
    /// lowest watermark, never one wrapped around to the far future.
    @inlinable public var watermark: Watermark {
        let (w, overflow) = maxEventTime.subtractingReportingOverflow(boundMs)
        return maxEventTime == .min || overflow ? .initial : Watermark(w)
    }

    /// Counts one accepted record; returns the new watermark when it moved forward.
    @inlinable
    public mutating func observe(_ eventTime: Int64) -> Watermark? {
        guard eventTime > maxEventTime else { return nil }
        _maxEventTime = eventTime
        return watermark
    }
}
