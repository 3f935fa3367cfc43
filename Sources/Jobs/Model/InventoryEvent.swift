import Dataflow

/// One line of a reservation: a SKU and how many units.
public struct ReservationLine: Sendable, Hashable {
    public var sku: String
    public var qty: Int64

    public init(sku: String, qty: Int64) {
        self.sku = sku
        self.qty = qty
    }
}

/// What an inventory event asks for (spec section 5).
public enum InventoryAction: Sendable, Hashable {
    /// Sets a SKU's on-hand count (a stock take, the start of day).
    case stockSet(eventID: String, sku: String, qty: Int64)
    /// Changes on-hand by `delta` (a delivery, shrink).
    case stockAdjust(eventID: String, sku: String, delta: Int64)
    /// Holds units of one or more SKUs for an order, all or nothing.
    /// `ttlMs` is `nil` when the event gives none (the job's default applies).
    case reserve(reservationID: String, orderID: String, lines: [ReservationLine], ttlMs: Int64?)
    case commit(reservationID: String)
    case release(reservationID: String)
}

/// A valid inventory event of one location.
public struct InventoryEvent: Sendable {
    public var action: InventoryAction
    /// A store or a warehouse.
    public var location: String
    /// Epoch milliseconds, in [2000-01-01, 2100-01-01).
    public var eventTime: Int64
    public var origin: LineOrigin

    public init(action: InventoryAction, location: String, eventTime: Int64, origin: LineOrigin) {
        self.action = action
        self.location = location
        self.eventTime = eventTime
        self.origin = origin
    }
}
