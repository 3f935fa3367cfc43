import Dataflow

/// A store's turnover is kept per currency: one window row per store and currency.
///
/// Like `TransactionKey` it carries a fingerprint (FNV-1a of the store id and the
/// currency) made once per key, and hash tables hash only that: a window slot or timer is
/// looked up several times per record, and seeding a `Hasher` and running SipHash over
/// the store id each time was ~5% of a CSV turnover run.
public struct TurnoverKey: FingerprintedKey {
    public let storeID: String
    public let currency: Currency
    public let fingerprint: UInt64

    public init(storeID: String, currency: Currency) {
        self.storeID = storeID
        self.currency = currency
        var store = storeID
        fingerprint = (store.withUTF8 { KeyHash.fnv1a(UnsafeRawBufferPointer($0)) } ^ UInt64(currency.rawValue)) &* KeyHash.prime
    }

    public static func == (a: TurnoverKey, b: TurnoverKey) -> Bool {
        a.fingerprint == b.fingerprint && a.currency == b.currency && a.storeID == b.storeID
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
