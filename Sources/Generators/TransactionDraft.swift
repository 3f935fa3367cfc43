import Jobs
/// A generated POS transaction with the choices of how to write it, before it is
/// encoded as a JSON line (`TransactionDraft+JSON.swift`) or a CSV row
/// (`TransactionDraft+CSV.swift`). The generator reuses one draft for every line.
struct TransactionDraft {
    enum Payment: UInt8 { case card, cash, voucher }

    /// Index into `StoreDirectory.stores`, and into that store's terminals.
    var store = 0
    var terminal = 0
    /// The terminal's receipt counter: the last part of `tx_id`.
    var counter = 0
    var eventTime: Int64 = 0
    var kind: TransactionKind = .sale
    var currency: Currency = .EUR
    /// Item lines: SKU index, quantity, unit price in minor units.
    var skus: [Int] = []
    var quantities: [Int] = []
    var unitPrices: [Int64] = []
    /// Sum of `qty * unit_price` over the items.
    var total: Int64 = 0
    /// The total as written: differs from `total` in a deliberate mismatch.
    var writtenTotal: Int64 = 0
    var payment: Payment? = nil

    // How the record is written.
    /// `nil`: integer epoch ms; otherwise RFC 3339 in the zone this many minutes east of UTC.
    var timeOffsetMinutes: Int? = nil
    var moneyStyle: GeneratorText.MoneyStyle = .string
    /// A sale may leave `kind` out (absent means sale); a refund never does.
    var writesKind = true
    /// An extra field validation ignores, on some records.
    var loyaltyNumber: Int? = nil

    var itemCount: Int { skus.count }

    /// Sum of the item quantities (a CSV row's `item_count`).
    var totalQuantity: Int {
        var sum = 0
        for q in quantities { sum += q }
        return sum
    }

    mutating func removeItems() {
        skus.removeAll(keepingCapacity: true)
        quantities.removeAll(keepingCapacity: true)
        unitPrices.removeAll(keepingCapacity: true)
        total = 0
    }

    mutating func addItem(sku: Int, quantity: Int, unitPrice: Int64) {
        skus.append(sku)
        quantities.append(quantity)
        unitPrices.append(unitPrice)
        total += Int64(quantity) * unitPrice
    }
}

/// The one rule a broken record breaks, applied while it is encoded. `none` for a valid
/// record.
struct RecordFault {
    enum Kind: UInt8 {
        case none
        /// `field` gets a value of the wrong type or form (`variant` picks which).
        case wrongType
        /// `field` is left out.
        case missing
        /// Item `item` has qty 0.
        case zeroQuantity
        /// The currency is written as `text`.
        case currencyCode
        /// The amount of `field` (item `item`'s unit price, or the total) gets one
        /// fractional digit too many.
        case excessMoneyDigits
        /// The event time is `value` (out of range), as a string when `variant` is odd.
        case eventTime
        /// `text` (bytes that are not UTF-8) goes into a string.
        case invalidUTF8
        /// `field` is written twice.
        case duplicateKey
        /// An extra field nested `value` arrays deep.
        case deepNesting
        /// An extra string field of `value` bytes.
        case padding
        /// CSV: the row has one cell too few (`variant` 0) or too many.
        case cellCount
        /// CSV: the first cell opens a quote that never closes.
        case brokenQuote
    }

    /// A field of spec section 1 (CSV columns map onto them).
    enum Field: UInt8 {
        case txID, storeID, terminalID, eventTime, kind, currency, items, sku, qty, unitPrice, total, payment, itemCount
    }

    var kind: Kind = .none
    var field: Field = .txID
    var item = 0
    var variant = 0
    var value: Int64 = 0
    var text: [UInt8] = []

    static let none = RecordFault()

    @inline(__always)
    func hits(_ kind: Kind, _ field: Field) -> Bool { self.kind == kind && self.field == field }

    @inline(__always)
    func hits(_ kind: Kind, _ field: Field, item: Int) -> Bool { self.kind == kind && self.field == field && self.item == item }
}
