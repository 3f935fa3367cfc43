import Dataflow

/// What changes a location's inventory, in input order: valid POS transactions (a sale
/// lowers on-hand, a refund raises it) and valid inventory events; and the clock marks
/// between them, which move the stage's watermark (live.md section 1).
public enum InventoryInput: Sendable {
    case transaction(Transaction)
    case event(InventoryEvent)
    case clock(ClockMark)

    /// Transactions happen at their store; events name their location; a clock mark
    /// belongs to none (it never reaches the keyed stage).
    public var location: String {
        switch self {
        case .transaction(let tx): tx.storeID
        case .event(let e): e.location
        case .clock: ""
        }
    }

    public var eventTime: Int64 {
        switch self {
        case .transaction(let tx): tx.eventTime
        case .event(let e): e.eventTime
        case .clock(let c): c.time
        }
    }

    /// The time of a clock mark; `nil` for a record.
    public var clockTime: Int64? {
        if case .clock(let c) = self { c.time } else { nil }
    }

    /// Where the line stands in input order.
    public var order: InputOrder {
        switch self {
        case .transaction(let tx): tx.origin.order
        case .event(let e): e.origin.order
        case .clock(let c): c.order
        }
    }
}
