/// The members of a POS transaction record (spec section 1), in the order their
/// rules are checked: the first failing one is the one reported.
enum TransactionField: Int, CaseIterable {
    case txID, storeID, terminalID, eventTime, kind, currency, items, total, payment

    var name: String {
        switch self {
        case .txID: "tx_id"
        case .storeID: "store_id"
        case .terminalID: "terminal_id"
        case .eventTime: "event_time"
        case .kind: "kind"
        case .currency: "currency"
        case .items: "items"
        case .total: "total"
        case .payment: "payment"
        }
    }
}

/// The members of one element of a transaction's `items`, in the order their rules are checked.
enum ItemField: Int, CaseIterable {
    case sku, qty, unitPrice

    var name: String {
        switch self {
        case .sku: "sku"
        case .qty: "qty"
        case .unitPrice: "unit_price"
        }
    }
}

/// The limits of spec sections 0 and 1, and the detail texts that name them.
public enum TransactionRules {
    /// A line longer than this (its `\n` not counted) is `too_large`.
    static let maxLineBytes = 1_048_576
    /// Code points of `tx_id`, `store_id`, `terminal_id`, `sku`.
    static let identifierLength = 1 ... 64
    /// Event times, epoch ms: [2000-01-01T00:00:00Z, 2100-01-01T00:00:00Z).
    public static let eventTimes: Range<Int64> = 946_684_800_000 ..< 4_102_444_800_000
    public static let itemCount = 1 ... 1000
    public static let quantity: ClosedRange<Int64> = 1 ... 10_000

    /// What the scanner checks for duplicates and records: the transaction's members,
    /// and the members of each element of `items`.
    static let schema = JSONSchema(
        topLevel: JSONKeySet(TransactionField.allCases.map(\.name)),
        nestedArray: (name: TransactionField.items.name, elementKeys: JSONKeySet(ItemField.allCases.map(\.name))))

    static let identifierDetail = "must be a string of 1...64 characters"
    static let eventTimeDetail = "must be an RFC 3339 timestamp with an offset or an integer of epoch milliseconds"
    static let eventTimeRangeDetail = "must lie in [2000-01-01T00:00:00Z, 2100-01-01T00:00:00Z)"
    static let kindDetail = "must be \"sale\" or \"refund\""
    static let itemsDetail = "must be an array of 1...1000 items"
    static let quantityDetail = "must be an integer in 1...10000"
    static let moneyTypeDetail = "must be a decimal string or a JSON number"
    static let sumOverflowDetail = "the sum of qty * unit_price overflows a signed 64-bit integer"

    static func tooLarge(_ fullLength: Int) -> Rejection {
        Rejection(.tooLarge, detail: "line of \(fullLength) bytes exceeds \(maxLineBytes) bytes")
    }

    static func badEncoding(at offset: Int) -> Rejection {
        Rejection(.badEncoding, detail: "invalid UTF-8 at byte \(offset)")
    }

    static func unknownCurrency(_ code: UnsafeRawBufferPointer, field: String) -> Rejection {
        let shown = code.count <= 16 ? " \"\(String(decoding: code, as: UTF8.self))\"" : ""
        return Rejection(.unknownCurrency, field: field,
                         detail: "unsupported currency\(shown); expected one of \(Currency.allCases.map(\.code).joined(separator: ", "))")
    }
}

extension Rejection {
    static func missing(_ field: String) -> Rejection {
        Rejection(.missingField, field: field, detail: "required")
    }

    static func bad(_ field: String, _ detail: String) -> Rejection {
        Rejection(.badField, field: field, detail: detail)
    }
}
