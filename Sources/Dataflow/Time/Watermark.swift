/// A promise about event time: no record accepted from now on will be counted as
/// earlier than `time` without being treated as late.
///
/// Watermarks only move forward. `initial` stands before every record; `end` is the
/// watermark of a finished input, at which everything still pending happens.
public struct Watermark: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Event time in epoch milliseconds.
    public var time: Int64

    @inlinable public init(_ time: Int64) { self.time = time }

    public static let initial = Watermark(.min)
    public static let end = Watermark(.max)

    @inlinable public static func < (a: Watermark, b: Watermark) -> Bool { a.time < b.time }

    /// `true` once the watermark has reached `t`: event-time timers for `t` fire, a window ending at `t` fires.
    @inlinable public func hasReached(_ t: Int64) -> Bool { time >= t }

    public var description: String {
        switch self {
        case .initial: "-inf"
        case .end: "+inf"
        default: String(time)
        }
    }
}
