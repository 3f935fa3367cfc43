import Jobs
/// A generated inventory event (spec section 5) with the choices of how to write it,
/// before it is encoded as a JSON line (`InventoryEventDraft+JSON.swift`). The generator
/// reuses one draft for every event.
///
/// Values are written as they are, so a broken event can carry a negative `qty`, a
/// reservation without lines or a `ttl_ms` of 0; `EventFault` breaks the rest.
struct InventoryEventDraft {
    enum Kind: UInt8 {
        case stockSet, stockAdjust, reserve, commit, release

        /// The fields of an event of this kind, in the order they are written.
        var fields: [EventFault.Field] {
            switch self {
            case .stockSet: [.type, .eventID, .location, .sku, .qty, .eventTime]
            case .stockAdjust: [.type, .eventID, .location, .sku, .delta, .eventTime]
            case .reserve: [.type, .reservationID, .orderID, .location, .lines, .lineSKU, .lineQty, .ttl, .eventTime]
            case .commit, .release: [.type, .reservationID, .location, .eventTime]
            }
        }
    }

    var kind: Kind = .stockSet
    /// `e000042` (stock events).
    var eventNumber = 0
    /// Index into `InventoryNetwork.ids`.
    var location = 0
    /// SKU (0-based) and `qty` or `delta` of a stock event.
    var sku = 0
    var quantity = 0
    /// `r-000042`, and the reserve's `o-0042137`.
    var reservationNumber = 0
    var orderNumber = 0
    /// A reserve's lines: SKUs (0-based) and quantities.
    var lineSKUs: [Int] = []
    var lineQuantities: [Int] = []
    /// `ttl_ms`, absent when `nil`.
    var ttl: Int64? = nil
    var eventTime: Int64 = 0
    /// `nil`: integer epoch ms; otherwise RFC 3339 in the zone this many minutes east of UTC.
    var timeOffsetMinutes: Int? = nil

    mutating func removeLines() {
        lineSKUs.removeAll(keepingCapacity: true)
        lineQuantities.removeAll(keepingCapacity: true)
    }
}

/// The one rule a broken inventory event breaks while it is encoded, when it is not in
/// the draft's values: an unknown `type`, a field left out, a value of the wrong type or
/// form. `kind` is `nil` for a valid event.
struct EventFault {
    enum Field: UInt8 {
        case type, eventID, reservationID, orderID, location, sku, qty, delta, lines, lineSKU, lineQty, ttl, eventTime
    }

    /// `.unknownType`, `.missingField` or `.wrongType`.
    var kind: InventoryInvalidKind? = nil
    var field: Field = .type
    /// The reserve line of a `lineSKU` or `lineQty` fault.
    var line = 0
    /// Which wrong value or unknown type.
    var variant = 0

    static let none = EventFault()
}
