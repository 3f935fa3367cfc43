import Dataflow

/// What makes a transaction unique: its store and its id within the store.
public struct TransactionKey: StateKey {
    public var storeID: String
    public var txID: String

    public init(storeID: String, txID: String) {
        self.storeID = storeID
        self.txID = txID
    }

    public func encode(to writer: inout StateWriter) {
        writer.write(storeID)
        writer.write(txID)
    }

    public static func decode(from reader: inout StateReader) throws -> TransactionKey {
        TransactionKey(storeID: try reader.readString(), txID: try reader.readString())
    }
}
