/// One emission of a window: the aggregate of one key's window, first at revision 0
/// when the window fires, then again with the full new totals (revision 1, 2, ...) for
/// each record that arrives within the allowed lateness.
public struct WindowResult<Key, Value> {
    public var key: Key
    public var windowStart: Int64
    public var windowEnd: Int64
    public var value: Value
    public var revision: Int

    public init(key: Key, windowStart: Int64, windowEnd: Int64, value: Value, revision: Int) {
        self.key = key
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.value = value
        self.revision = revision
    }
}

extension WindowResult: Sendable where Key: Sendable, Value: Sendable {}

/// A record that arrived after its window stopped taking records: it counts in no
/// window and goes to the late side output instead of being dropped.
public struct LateRecord<Record> {
    public var record: Record
    public var windowEnd: Int64
    /// The watermark before the record, minus its window's end.
    public var lateByMs: Int64

    public init(record: Record, windowEnd: Int64, lateByMs: Int64) {
        self.record = record
        self.windowEnd = windowEnd
        self.lateByMs = lateByMs
    }
}

extension LateRecord: Sendable where Record: Sendable {}
