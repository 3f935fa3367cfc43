import Dataflow

/// What changes a location's inventory, in input order: valid POS transactions (a sale
/// lowers on-hand, a refund raises it) and valid inventory events.
public enum InventoryInput: Sendable {
    case transaction(Transaction)
    case event(InventoryEvent)

    /// Transactions happen at their store; events name their location.
    public var location: String {
        switch self {
        case .transaction(let tx): tx.storeID
        case .event(let e): e.location
        }
    }

    public var eventTime: Int64 {
        switch self {
        case .transaction(let tx): tx.eventTime
        case .event(let e): e.eventTime
        }
    }

    public var origin: LineOrigin {
        switch self {
        case .transaction(let tx): tx.origin
        case .event(let e): e.origin
        }
    }
}
