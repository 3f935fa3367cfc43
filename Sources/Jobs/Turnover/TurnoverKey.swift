import Dataflow

/// A store's turnover is kept per currency: one window row per store and currency.
public struct TurnoverKey: StateKey {
    public var storeID: String
    public var currency: Currency

    public init(storeID: String, currency: Currency) {
        self.storeID = storeID
        self.currency = currency
    }

    public func encode(to writer: inout StateWriter) {
        writer.write(storeID)
        writer.write(currency.rawValue)
    }

    public static func decode(from reader: inout StateReader) throws -> TurnoverKey {
        let store = try reader.readString()
        let raw = try reader.readUInt8()
        guard let currency = Currency(rawValue: raw) else { throw StateDecodingError("unknown currency tag \(raw)") }
        return TurnoverKey(storeID: store, currency: currency)
    }
}

extension Currency: StateKey {
    public func encode(to writer: inout StateWriter) { writer.write(rawValue) }

    public static func decode(from reader: inout StateReader) throws -> Currency {
        let raw = try reader.readUInt8()
        guard let c = Currency(rawValue: raw) else { throw StateDecodingError("unknown currency tag \(raw)") }
        return c
    }
}
