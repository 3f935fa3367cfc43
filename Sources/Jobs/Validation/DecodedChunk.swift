/// A batch of input lines after the stateless half of validation: each line became a
/// transaction, an inventory event, a clock mark or a dead letter, each kind in input order.
public struct DecodedChunk: Sendable {
    public var transactions: [Transaction] = []
    public var rejected: [DeadLetter] = []
    /// Valid inventory events of a mixed stream.
    public var events: [InventoryEvent] = []
    /// Clock marks (live.md section 1), with, for each, how many of `transactions` came
    /// before it: where it stands among them.
    public var clocks: [ClockMark] = []
    public var clockPositions: [Int] = []

    /// Appends `other`'s lines, which follow this chunk's in input order.
    public mutating func append(_ other: DecodedChunk) {
        clockPositions += other.clockPositions.map { $0 + transactions.count }
        clocks += other.clocks
        transactions += other.transactions
        rejected += other.rejected
        events += other.events
    }

    public init() {}
}
