import Dataflow
import Operators

/// The global rollup's window content: the latest totals of each store's row.
///
/// A store row's revision replaces that store's earlier contribution, so the rollup's
/// amounts always equal the sums over the store rows' latest revisions.
public struct StoreContributions: StateCodable {
    public var byStore: [String: TurnoverTotals] = [:]

    public init() {}

    public func encode(to writer: inout StateWriter) {
        writer.write(UInt32(byStore.count))
        for store in byStore.keys.sorted() {
            writer.write(store)
            byStore[store]!.encode(to: &writer)
        }
    }

    public static func decode(from reader: inout StateReader) throws -> StoreContributions {
        var c = StoreContributions()
        let n = try reader.readUInt32()
        for _ in 0 ..< n {
            let store = try reader.readString()
            c.byStore[store] = try TurnoverTotals.decode(from: &reader)
        }
        return c
    }
}

/// The rollup row's value: sums over all stores, and how many stores have a row.
public struct RollupTotals: Sendable, Hashable {
    public var totals: TurnoverTotals
    public var stores: Int

    public init(totals: TurnoverTotals, stores: Int) {
        self.totals = totals
        self.stores = stores
    }
}

/// Folds store rows (each revision carrying a store's full new totals) into the rollup.
///
/// The rollup is a tumbling window of its own over the store rows, keyed by currency,
/// with the same size and allowed lateness: store rows fired at a watermark arrive
/// before that watermark does, so the rollup fires with them (revision 0), and a store
/// row revised within the lateness revises the rollup at once.
public struct RollupAggregator: WindowAggregator {
    public init() {}
    public func makeAccumulator() -> StoreContributions { StoreContributions() }

    public func add(_ row: StoreTurnover, to c: inout StoreContributions) {
        c.byStore[row.key.storeID] = row.value
    }

    public func result(of c: StoreContributions) -> RollupTotals {
        var sum = TurnoverTotals()
        for t in c.byStore.values { sum.add(t) }
        return RollupTotals(totals: sum, stores: c.byStore.count)
    }
}

public typealias CurrencyRollup = WindowResult<Currency, RollupTotals>
