/// A batch of input lines after the stateless half of validation: each line became a
/// transaction, an inventory event or a dead letter, each kind in input order.
public struct DecodedChunk: Sendable {
    public var transactions: [Transaction] = []
    public var rejected: [DeadLetter] = []
    /// Valid inventory events of a mixed stream.
    public var events: [InventoryEvent] = []

    public init() {}
}
