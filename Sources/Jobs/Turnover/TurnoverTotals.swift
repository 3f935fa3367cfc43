import Dataflow

/// The sums of one turnover window (spec section 4). Sums wrap on overflow rather than
/// trap: a single record's amounts are bounded by validation, and a run never crashes.
public struct TurnoverTotals: StateCodable, Hashable {
    public var salesMinor: Int64 = 0
    public var refundsMinor: Int64 = 0
    public var txCount: Int64 = 0
    public var itemsSold: Int64 = 0

    public init() {}

    public var turnoverMinor: Int64 { salesMinor &- refundsMinor }

    public mutating func add(_ tx: Transaction) {
        switch tx.kind {
        case .sale: salesMinor &+= tx.totalMinor
        case .refund: refundsMinor &+= tx.totalMinor
        }
        txCount &+= 1
        itemsSold &+= tx.itemsSold
    }

    public mutating func add(_ other: TurnoverTotals) {
        salesMinor &+= other.salesMinor
        refundsMinor &+= other.refundsMinor
        txCount &+= other.txCount
        itemsSold &+= other.itemsSold
    }

    public mutating func subtract(_ other: TurnoverTotals) {
        salesMinor &-= other.salesMinor
        refundsMinor &-= other.refundsMinor
        txCount &-= other.txCount
        itemsSold &-= other.itemsSold
    }

    public func encode(to writer: inout StateWriter) {
        writer.write(salesMinor)
        writer.write(refundsMinor)
        writer.write(txCount)
        writer.write(itemsSold)
    }

    public static func decode(from reader: inout StateReader) throws -> TurnoverTotals {
        var t = TurnoverTotals()
        t.salesMinor = try reader.readInt64()
        t.refundsMinor = try reader.readInt64()
        t.txCount = try reader.readInt64()
        t.itemsSold = try reader.readInt64()
        return t
    }
}
