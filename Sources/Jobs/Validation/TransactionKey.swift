import Dataflow

/// What makes a transaction unique: its store and its id within the store.
///
/// Carries a 64-bit fingerprint (FNV-1a of both ids) computed once when the key is
/// made: hashing feeds only the fingerprint, so growing a table of millions of keys
/// rehashes without reading the ids' bytes again. Equality still compares the ids.
public struct TransactionKey: FingerprintedKey {
    public let storeID: String
    public let txID: String
    public let fingerprint: UInt64

    public init(storeID: String, txID: String) {
        self.storeID = storeID
        self.txID = txID
        var store = storeID, tx = txID
        let h = store.withUTF8 { KeyHash.fnv1a(UnsafeRawBufferPointer($0)) }
        fingerprint = tx.withUTF8 { KeyHash.fnv1a(UnsafeRawBufferPointer($0), seed: (h ^ 0xFF) &* KeyHash.prime) }
    }

    public static func == (a: TransactionKey, b: TransactionKey) -> Bool {
        a.fingerprint == b.fingerprint && a.txID == b.txID && a.storeID == b.storeID
    }

    public func encode(to writer: inout StateWriter) {
        writer.write(storeID)
        writer.write(txID)
    }

    public static func decode(from reader: inout StateReader) throws -> TransactionKey {
        TransactionKey(storeID: try reader.readString(), txID: try reader.readString())
    }
}
