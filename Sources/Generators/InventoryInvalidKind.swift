import Jobs
/// The kinds of broken inventory event `InventoryGenerator` injects (`invalidFraction`),
/// each breaking exactly one rule of spec section 5, so that the inventory job rejects
/// it for `expectedReason`.
public enum InventoryInvalidKind: String, Sendable, CaseIterable, Hashable, Comparable {
    /// A valid event cut short.
    case truncatedJSON = "truncated_json"
    /// A `type` outside the five: `stock_move`, `adjust`, `Reserve`, `cancel`, `""`.
    case unknownType = "unknown_type"
    /// A required field left out (`type` included; never an optional `ttl_ms`).
    case missingField = "missing_field"
    /// A field of the wrong type or form: `qty` `"12"` or `12.0`, `location` 42,
    /// `lines` `{}`, `event_time` `true`...
    case wrongType = "wrong_type"
    /// A `stock_set` with a negative `qty`.
    case negativeStockLevel = "negative_stock_level"
    /// A `reserve` line with `qty` 0 or negative.
    case nonPositiveLineQuantity = "non_positive_line_qty"
    /// A `reserve` with `"lines":[]`.
    case emptyReservation = "empty_reservation"
    /// A `reserve` with `ttl_ms` 0 or negative.
    case zeroTTL = "zero_ttl"

    /// The dead-letter reason the inventory job gives such a line.
    public var expectedReason: RejectReason {
        switch self {
        case .truncatedJSON: .malformedJSON
        case .missingField: .missingField
        case .unknownType, .wrongType, .negativeStockLevel, .nonPositiveLineQuantity, .emptyReservation, .zeroTTL: .badField
        }
    }

    /// The kinds with their relative weights (per mille).
    static let weights: [(kind: InventoryInvalidKind, weight: Int)] = [
        (.truncatedJSON, 160), (.unknownType, 130), (.missingField, 180), (.wrongType, 220),
        (.negativeStockLevel, 70), (.nonPositiveLineQuantity, 100), (.emptyReservation, 70), (.zeroTTL, 70),
    ]

    public static func < (a: InventoryInvalidKind, b: InventoryInvalidKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
