import Dataflow

public enum TransactionKind: UInt8, Sendable, Hashable {
    case sale, refund

    public var name: String { self == .sale ? "sale" : "refund" }
}

/// One item line of a transaction, its price in minor units.
public struct LineItem: Sendable, Hashable {
    public var sku: String
    public var qty: Int64
    public var unitPriceMinor: Int64

    public init(sku: String, qty: Int64, unitPriceMinor: Int64) {
        self.sku = sku
        self.qty = qty
        self.unitPriceMinor = unitPriceMinor
    }
}

/// A POS transaction that passed every rule of spec section 1: the canonical,
/// validated form of section 2, amounts in integer minor units.
public struct Transaction: Sendable {
    public var txID: String
    public var storeID: String
    public var terminalID: String
    /// Epoch milliseconds, in [2000-01-01, 2100-01-01).
    public var eventTime: Int64
    public var kind: TransactionKind
    public var currency: Currency
    /// Empty for a CSV row, which keeps no item detail.
    public var items: [LineItem]
    /// A CSV row's `item_count`; `nil` for a JSON record.
    public var itemCount: Int64?
    public var totalMinor: Int64
    /// The total as written, when it differed from the items' sum and the policy corrected it.
    public var originalTotalMinor: Int64?
    public var origin: LineOrigin
    /// This transaction's line of `valid.jsonl`, when a decoding worker wrote it ahead
    /// (at parallelism above 1, so that the sequential part of a run only copies it);
    /// empty otherwise. A slice of one buffer per decoded batch.
    public var validJSON: ArraySlice<UInt8> = []

    public init(txID: String, storeID: String, terminalID: String, eventTime: Int64, kind: TransactionKind,
                currency: Currency, items: [LineItem], itemCount: Int64?, totalMinor: Int64,
                originalTotalMinor: Int64?, origin: LineOrigin) {
        self.txID = txID
        self.storeID = storeID
        self.terminalID = terminalID
        self.eventTime = eventTime
        self.kind = kind
        self.currency = currency
        self.items = items
        self.itemCount = itemCount
        self.totalMinor = totalMinor
        self.originalTotalMinor = originalTotalMinor
        self.origin = origin
    }

    public var corrected: Bool { originalTotalMinor != nil }

    /// Item quantity this transaction counts in a turnover window's `items_sold`:
    /// the sum of item quantities (or a CSV row's `item_count`) of a sale, 0 for a refund.
    @inlinable
    public var itemsSold: Int64 {
        guard kind == .sale else { return 0 }
        if let itemCount { return itemCount }
        var sum: Int64 = 0
        for item in items { sum &+= item.qty }
        return sum
    }
}
