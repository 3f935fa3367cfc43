/// Keyed map state: for each key, a map from user keys to values (a location's stock
/// per SKU, its reservations by id).
///
/// Like `ValueState`, a concrete class so that operator code is specialized for its
/// types, the key always an argument, and the storage chosen by the backend. In a
/// byte-oriented backend an entry is (key, user key) in `StateKeyLayout`, so one key's
/// map is a contiguous range.
public final class MapState<Key: StateKey, UserKey: StateKey, Value: StateCodable> {
    @usableFromInline
    enum Storage {
        /// In the process's memory (the memory backend).
        case memory([Key: [UserKey: Value]])
        /// In RocksDB: (key, user key) entries under `StateKeyLayout`.
        case rocksDB(RocksDatabase)
    }

    @usableFromInline var storage: Storage
    /// RocksDB storage: entries read and written lately, written back in batches.
    @usableFromInline var cache = WriteBackCache<CachedEntry, Value>()
    /// A (key, user key) entry, as the cache holds it.
    @usableFromInline typealias CachedEntry = StateEntry<Key, UserKey>
    /// Writes the entries into a memory-backend snapshot (see `prepareSnapshots`).
    @usableFromInline var snapshotWriter: ((inout ChecksummedFileWriter) throws -> Void)?
    public let operatorID: OperatorID
    public let name: String
    /// The key groups whose entries this state holds: all of them, or one partition's.
    public let groups: KeyGroupRange

    init(memoryFor operatorID: OperatorID, name: String, groups: KeyGroupRange = .all) {
        self.operatorID = operatorID
        self.name = name
        self.groups = groups
        storage = .memory([:])
    }

    init(rocksDB database: RocksDatabase, operatorID: OperatorID, name: String, groups: KeyGroupRange = .all) {
        self.operatorID = operatorID
        self.name = name
        self.groups = groups
        storage = .rocksDB(database)
    }

    @usableFromInline
    func entryKey(_ key: Key, _ userKey: UserKey) -> [UInt8] {
        StateKeyLayout.encode(operator: operatorID, state: name, key: key, namespace: userKey)
    }

    @usableFromInline
    func decodeValue(_ bytes: [UInt8]) throws -> Value {
        var reader = StateReader(bytes)
        return try Value.decode(from: &reader)
    }

    @inlinable
    public func get(_ key: Key, _ userKey: UserKey) throws -> Value? {
        switch storage {
        case .memory(let maps): return maps[key]?[userKey]
        case .rocksDB(let db): return try cached(db, CachedEntry(key: key, namespace: userKey))
        }
    }

    /// The entry's value, from the cache or else from RocksDB (then cached).
    @inlinable
    func cached(_ db: RocksDatabase, _ entry: CachedEntry) throws -> Value? {
        if let slot = cache.slot(entry) { return slot.value }
        let value = try db.get(entryKey(entry.key, entry.namespace)).map(decodeValue)
        if cache.isFull { try flush(db) }
        cache.remember(entry, value)
        return value
    }

    /// Writes the cached changes to RocksDB.
    @usableFromInline
    func flush(_ db: RocksDatabase) throws {
        let operatorID = self.operatorID, name = self.name
        try cache.flush(db) { entry, slot, writes in
            let key = { (w: inout StateWriter) in
                StateKeyLayout.write(operator: operatorID, state: name, key: entry.key, namespace: entry.namespace, to: &w)
            }
            guard let value = slot.value else { return writes.append(key: key, value: nil) }
            writes.append(key: key) { value.encode(to: &$0) }
        }
    }

    @inlinable
    public func contains(_ key: Key, _ userKey: UserKey) throws -> Bool {
        try get(key, userKey) != nil
    }

    @inlinable
    public func put(_ key: Key, _ userKey: UserKey, _ value: Value) throws {
        try update(key, userKey) { $0 = value }
    }

    @inlinable
    public func remove(_ key: Key, _ userKey: UserKey) throws {
        try update(key, userKey) { $0 = nil }
    }

    /// Reads, changes and writes back one entry in one step (`nil` = absent).
    @inlinable
    public func update<R>(_ key: Key, _ userKey: UserKey, _ body: (inout Value?) throws -> R) throws -> R {
        switch storage {
        case .memory(var maps):
            storage = .memory([:])  // keep `maps` uniquely referenced while it changes
            defer { storage = .memory(maps) }
            return try body(&maps[key, default: [:]][userKey])
        case .rocksDB(let db):
            let entry = CachedEntry(key: key, namespace: userKey)
            let old = try cached(db, entry)
            var value = old
            let result = try body(&value)
            if value != nil || old != nil {
                cache.write(entry, value)
            }
            return result
        }
    }

    /// The entries of one key's map, sorted by user key's codec bytes (a stable order,
    /// the one a byte-oriented backend scans in).
    public func entries(of key: Key) throws -> [(UserKey, Value)] {
        switch storage {
        case .memory(let maps):
            guard let map = maps[key] else { return [] }
            return map.map { ($0.key, $0.value) }.sorted { a, b in
                var wa = StateWriter(), wb = StateWriter()
                a.0.encode(to: &wa)
                b.0.encode(to: &wb)
                return wa.bytes.lexicographicallyPrecedes(wb.bytes)
            }
        case .rocksDB(let db):
            try flush(db)
            var prefix = StateKeyLayout.prefix(group: KeyGroup(of: key), operator: operatorID, state: name)
            var writer = StateWriter()
            key.encode(to: &writer)
            prefix += writer.bytes
            var result: [(UserKey, Value)] = []
            try db.scan(prefix: prefix) { k, v in
                let parts = try StateKeyLayout.decode(k, key: Key.self, namespace: UserKey.self)
                result.append((parts.namespace, try decodeValue(v)))
                return true
            }
            return result
        }
    }

    /// What keeping this state in RocksDB has cost so far (zero in memory).
    public var rocksDBWork: RocksDBStateWork { cache.work }

    /// Number of (key, user key) entries.
    public var count: Int {
        switch storage {
        case .memory(let maps): return maps.values.reduce(0) { $0 + $1.count }
        case .rocksDB(let db):
            try? flush(db)
            return (try? db.countEntries(operator: operatorID, state: name)) ?? 0
        }
    }
}

extension MapState: WriteBackState {
    func flush() throws {
        if case .rocksDB(let db) = storage { try flush(db) }
    }
}

extension MapState: WatermarkedState {
    /// Map state has no entry expiry (yet): nothing to do.
    public func advance(to watermark: Watermark) {}
}
