/// The members an inventory-stream line may carry at top level (spec section 5), in
/// the order of the scanner's key set (the order the example lines use them, so the
/// scanner's "next expected name" guess usually hits), plus `tx_id`, which makes a
/// line a transaction.
enum InventoryField: Int, CaseIterable {
    case type, eventID, reservationID, orderID, location, sku, qty, delta, lines, ttlMs, eventTime, txID

    var name: String {
        switch self {
        case .type: "type"
        case .eventID: "event_id"
        case .reservationID: "reservation_id"
        case .orderID: "order_id"
        case .location: "location"
        case .sku: "sku"
        case .qty: "qty"
        case .delta: "delta"
        case .lines: "lines"
        case .ttlMs: "ttl_ms"
        case .eventTime: "event_time"
        case .txID: "tx_id"
        }
    }
}

/// The members of one element of a `reserve`'s `lines`, in the order their rules are checked.
enum ReservationLineField: Int, CaseIterable {
    case sku, qty

    var name: String {
        switch self {
        case .sku: "sku"
        case .qty: "qty"
        }
    }
}

/// The `type` of an inventory event.
enum InventoryEventType {
    case stockSet, stockAdjust, reserve, commit, release

    /// The type named exactly (case-sensitive) by these bytes, if any.
    ///
    /// Compared by word loads: the first 4 or 8 bytes and the last 4 (overlapping)
    /// cover each name whole.
    @inline(__always)
    init?(name bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        guard n >= 6 && n <= 12 else { return nil }
        @inline(__always) func word32(_ at: Int) -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
        @inline(__always) func word64() -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self)) }
        let last = word32(n &- 4)
        switch n {
        case 9 where word64() == 0x6573_5F6B_636F_7473 && last == 0x7465_735F: self = .stockSet  // "stock_se", "_set"
        case 12 where word64() == 0x6461_5F6B_636F_7473 && last == 0x7473_756A: self = .stockAdjust  // "stock_ad", "just"
        case 7 where word32(0) == 0x6573_6572 && last == 0x6576_7265: self = .reserve  // "rese", "erve"
        case 7 where word32(0) == 0x656C_6572 && last == 0x6573_6165: self = .release  // "rele", "ease"
        case 6 where word32(0) == 0x6D6D_6F63 && last == 0x7469_6D6D: self = .commit  // "comm", "mmit"
        default: return nil
        }
    }
}

/// The limits of spec section 5 and the detail texts that name them. The rules an
/// inventory event shares with a transaction (line size, identifiers, `event_time`)
/// are `TransactionRules`'.
enum InventoryRules {
    /// What the scanner checks for repeats and records: the known top-level members,
    /// and the members of each element of `lines`.
    static let schema = JSONSchema(
        topLevel: JSONKeySet(InventoryField.allCases.map(\.name)),
        nestedArray: (name: InventoryField.lines.name, elementKeys: JSONKeySet(ReservationLineField.allCases.map(\.name))))

    /// Only `tx_id`: what a line must have to be a transaction.
    static let transactionSchema = JSONSchema(topLevel: JSONKeySet([InventoryField.txID.name]))

    /// `qty` of `stock_set`.
    static let minimumStock: Int64 = 0
    /// `qty` of a `reserve` line.
    static let minimumLineQuantity: Int64 = 1
    static let minimumTTL: Int64 = 1

    static let typeDetail = #"must be "stock_set", "stock_adjust", "reserve", "commit" or "release""#
    static let linesDetail = "must be an array of at least 1 line"

    /// How an integer rule reads: "must be an integer >= 1", or "must be an integer".
    static func integerRule(minimum: Int64) -> String {
        minimum == .min ? "must be an integer" : "must be an integer >= \(minimum)"
    }
}
