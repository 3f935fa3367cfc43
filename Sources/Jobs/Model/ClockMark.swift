import Dataflow

/// A line that is not a record but a reading of the event-time clock (live.md section 1):
/// a JSON object with exactly one member, `clock`, whose value is a signed 64-bit
/// integer literal (epoch ms). It appears in no output and counts as no input record; in
/// every stage it raises the watermark as an accepted record with `event_time` = `time`
/// would. Any other object, `{"clock":1,"x":2}` or `{"clock":1.5}` or a `clock` named
/// twice, is an ordinary record, judged (and dead-lettered) as one.
public struct ClockMark: Sendable, Hashable {
    public var time: Int64
    /// Where the line stands in input order: the inventory stage merges marks with the
    /// records they came between.
    public var order: InputOrder

    public init(time: Int64, order: InputOrder) {
        self.time = time
        self.order = order
    }

    static let schema = JSONSchema(topLevel: JSONKeySet(["clock"]))

    /// The clock time of a line that is a clock mark, or `nil` for any other line.
    public static func time(ofLine bytes: UnsafeRawBufferPointer) -> Int64? {
        withUnsafeTemporaryAllocation(of: JSONToken?.self, capacity: 1) { member -> Int64? in
            guard let summary = try? JSONScanner(bytes).scan(schema: schema, members: member),
                  summary.root.kind == .object, summary.memberCount == 1,
                  let value = member[0], value.kind == .number else { return nil }
            return IntegerLiteral(UnsafeRawBufferPointer(rebasing: bytes[value.contentRange])).value
        }
    }
}
