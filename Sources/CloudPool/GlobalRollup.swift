import Foundation
import Jobs
import Operators

/// A cloud job's global rollups (live.md section 4) as a function of its locations'
/// rows, taken in `TILLFLOW_OUT`'s order:
///
/// - every store row (a location's `turnover` row, revision 0 or a revision) publishes
///   the (window, currency)'s `_global.rollup` row again, `revision` one higher, with
///   the sums over every store's last row and `stores` the stores with a row: its last
///   revision sums the stores' last revisions, and its last `revision` + 1 counts the
///   store rows;
/// - every `availability` row of a location publishes the SKU's `_global.availability`
///   row with `available` and `locations` summed over every location's last row, and
///   the change's `event_time`.
///
/// Rows are written by the same writers as `rollup.jsonl` and `availability.jsonl`.
/// State is bounded: a window is forgotten once every location's clock has passed its
/// end by the allowed lateness plus `GlobalRollup.horizonMs` (`forget(windowsEndingBefore:)`),
/// after which no location can revise it.
public struct GlobalRollup: Codable, Sendable, Equatable {
    /// How long past a window's end plus the allowed lateness, on the slowest location's
    /// clock, its entry is kept: one hour.
    public static let horizonMs: Int64 = 3_600_000

    struct WindowKey: Codable, Sendable, Hashable {
        var windowStart: Int64
        var currency: String
    }

    struct StoreTotals: Codable, Sendable, Equatable {
        var sales: Int64, refunds: Int64, txCount: Int64, itemsSold: Int64
    }

    struct WindowEntry: Codable, Sendable, Equatable {
        var windowEnd: Int64
        var stores: [String: StoreTotals] = [:]
        /// The revision the next global row gets.
        var nextRevision = 0
    }

    struct SKUEntry: Codable, Sendable, Equatable {
        var byLocation: [String: [Int64]] = [:]  // location -> [available, locations]
    }

    var windows: [WindowKey: WindowEntry] = [:]
    var skus: [String: SKUEntry] = [:]

    public init() {}

    /// A location's `turnover` row: the global rollup row it publishes, `\n` included.
    public mutating func storeRow(_ line: [UInt8]) throws -> [UInt8] {
        let row = try JSONDecoder().decode(StoreRow.self, from: Data(line))
        guard let currency = Array(row.currency.utf8).withUnsafeBytes({ Currency(code: $0) }) else {
            throw GlobalRollupError("a store row with an unknown currency: \(String(decoding: line, as: UTF8.self))")
        }
        let key = WindowKey(windowStart: row.windowStart, currency: row.currency)
        var entry = windows[key] ?? WindowEntry(windowEnd: row.windowEnd)
        entry.stores[row.storeID] = StoreTotals(sales: row.salesMinor, refunds: row.refundsMinor, txCount: row.txCount,
                                                itemsSold: row.itemsSold)
        var totals = TurnoverTotals()
        for store in entry.stores.values {
            totals.salesMinor &+= store.sales
            totals.refundsMinor &+= store.refunds
            totals.txCount &+= store.txCount
            totals.itemsSold &+= store.itemsSold
        }
        let result = WindowResult(key: currency, windowStart: row.windowStart, windowEnd: row.windowEnd,
                                  value: RollupTotals(totals: totals, stores: entry.stores.count), revision: entry.nextRevision)
        entry.nextRevision += 1
        windows[key] = entry
        var out: [UInt8] = []
        result.writeJSON(into: &out)
        return out
    }

    /// A location's `availability` row: the global availability row it publishes.
    public mutating func availabilityRow(_ line: [UInt8], location: String) throws -> [UInt8] {
        let row = try JSONDecoder().decode(AvailabilityLine.self, from: Data(line))
        var entry = skus[row.sku] ?? SKUEntry()
        entry.byLocation[location] = [row.available, row.locations]
        skus[row.sku] = entry
        var available: Int64 = 0, locations: Int64 = 0
        for value in entry.byLocation.values {
            available &+= value[0]
            locations &+= value[1]
        }
        var out: [UInt8] = []
        AvailabilityRow(sku: row.sku, available: available, locations: locations, eventTime: row.eventTime).writeJSON(into: &out)
        return out
    }

    /// Forgets the windows that end before `time` (the slowest location's clock less the
    /// allowed lateness and the horizon).
    public mutating func forget(windowsEndingBefore time: Int64) {
        windows = windows.filter { $0.value.windowEnd >= time }
    }

    public var windowCount: Int { windows.count }

    struct StoreRow: Decodable {
        var storeID: String
        var windowStart: Int64
        var windowEnd: Int64
        var currency: String
        var salesMinor: Int64
        var refundsMinor: Int64
        var txCount: Int64
        var itemsSold: Int64

        enum CodingKeys: String, CodingKey {
            case storeID = "store_id", windowStart = "window_start", windowEnd = "window_end", currency
            case salesMinor = "sales_minor", refundsMinor = "refunds_minor", txCount = "tx_count", itemsSold = "items_sold"
        }
    }

    struct AvailabilityLine: Decodable {
        var sku: String
        var available: Int64
        var locations: Int64
        var eventTime: Int64

        enum CodingKeys: String, CodingKey {
            case sku, available, locations, eventTime = "event_time"
        }
    }
}

public struct GlobalRollupError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
