/// A map state's entries in RocksDB: (key, user key) entries under `StateKeyLayout`, so
/// one key's map is a contiguous range; entries read and written lately sit in a
/// write-back cache.
public final class RocksDBMapStorage<Key: StateKey, UserKey: StateKey, Value: StateCodable> {
    /// A (key, user key) entry, as the cache holds it.
    @usableFromInline typealias Entry = StateEntry<Key, UserKey>

    @usableFromInline let db: RocksDatabase
    @usableFromInline let operatorID: OperatorID
    @usableFromInline let name: String
    /// Entries read and written lately, written back in batches.
    @usableFromInline var cache = WriteBackCache<Entry, Value>()

    init(_ db: RocksDatabase, operatorID: OperatorID, name: String) {
        self.db = db
        self.operatorID = operatorID
        self.name = name
    }

    @usableFromInline
    func read(_ entry: Entry) throws -> Value? {
        let key = StateKeyLayout.encode(operator: operatorID, state: name, key: entry.key, namespace: entry.namespace)
        return try db.get(key).map(Self.decodeValue)
    }

    @usableFromInline
    static func decodeValue(_ bytes: [UInt8]) throws -> Value {
        var reader = StateReader(bytes)
        return try Value.decode(from: &reader)
    }

    /// The entry's value, from the cache or else from RocksDB (then cached).
    @inlinable
    func get(_ key: Key, _ userKey: UserKey) throws -> Value? {
        try cached(Entry(key: key, namespace: userKey))
    }

    @inlinable
    func cached(_ entry: Entry) throws -> Value? {
        if let slot = cache.slot(entry) { return slot.value }
        let value = try read(entry)
        if cache.isFull { try flush() }
        cache.remember(entry, value)
        return value
    }

    @inlinable
    func update<R>(_ key: Key, _ userKey: UserKey, _ body: (inout Value?) throws -> R) throws -> R {
        let entry = Entry(key: key, namespace: userKey)
        let old = try cached(entry)
        var value = old
        let result = try body(&value)
        if value != nil || old != nil {
            cache.write(entry, value)
        }
        return result
    }

    /// Writes the cached changes to RocksDB.
    @usableFromInline
    func flush() throws {
        let operatorID = self.operatorID, name = self.name
        try cache.flush(db) { entry, slot, writes in
            let key = { (w: inout StateWriter) in
                StateKeyLayout.write(operator: operatorID, state: name, key: entry.key, namespace: entry.namespace, to: &w)
            }
            guard let value = slot.value else { return writes.append(key: key, value: nil) }
            writes.append(key: key) { value.encode(to: &$0) }
        }
    }

    /// Sorted by user key's codec bytes: a scan of the key's range.
    func entries(of key: Key) throws -> [(UserKey, Value)] {
        try flush()
        var prefix = StateKeyLayout.prefix(group: KeyGroup(of: key), operator: operatorID, state: name)
        var writer = StateWriter()
        key.encode(to: &writer)
        prefix += writer.bytes
        var result: [(UserKey, Value)] = []
        try db.scan(prefix: prefix) { k, v in
            let parts = try StateKeyLayout.decode(k, key: Key.self, namespace: UserKey.self)
            result.append((parts.namespace, try Self.decodeValue(v)))
            return true
        }
        return result
    }

    var count: Int {
        try? flush()
        return (try? db.countEntries(operator: operatorID, state: name)) ?? 0
    }
}
