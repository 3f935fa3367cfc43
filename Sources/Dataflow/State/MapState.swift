/// Keyed map state: for each key, a map from user keys to values (a location's stock
/// per SKU, its reservations by id).
///
/// Like `ValueState`, a concrete class so that operator code is specialized for its
/// types, the key always an argument, and the storage chosen by the backend: one enum
/// switch per access picks `MemoryMapStorage` or `RocksDBMapStorage`.
public final class MapState<Key: StateKey, UserKey: StateKey, Value: StateCodable> {
    @usableFromInline
    enum Storage {
        /// In the process's memory (the memory backend).
        case memory(MemoryMapStorage<Key, UserKey, Value>)
        /// In RocksDB.
        case rocksDB(RocksDBMapStorage<Key, UserKey, Value>)
    }

    @usableFromInline let storage: Storage
    public let operatorID: OperatorID
    public let name: String
    /// The key groups whose entries this state holds: all of them, or one partition's.
    public let groups: KeyGroupRange

    init(memoryFor operatorID: OperatorID, name: String, groups: KeyGroupRange = .all) {
        self.operatorID = operatorID
        self.name = name
        self.groups = groups
        storage = .memory(MemoryMapStorage())
    }

    init(rocksDB database: RocksDatabase, operatorID: OperatorID, name: String, groups: KeyGroupRange = .all) {
        self.operatorID = operatorID
        self.name = name
        self.groups = groups
        storage = .rocksDB(RocksDBMapStorage(database, operatorID: operatorID, name: name))
    }

    @inlinable
    public func get(_ key: Key, _ userKey: UserKey) throws -> Value? {
        switch storage {
        case .memory(let m): return m.get(key, userKey)
        case .rocksDB(let r): return try r.get(key, userKey)
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
        case .memory(let m): return try m.update(key, userKey, body)
        case .rocksDB(let r): return try r.update(key, userKey, body)
        }
    }

    /// The entries of one key's map, sorted by user key's codec bytes (a stable order,
    /// the one a byte-oriented backend scans in).
    public func entries(of key: Key) throws -> [(UserKey, Value)] {
        switch storage {
        case .memory(let m): return m.entries(of: key)
        case .rocksDB(let r): return try r.entries(of: key)
        }
    }

    /// What keeping this state in RocksDB has cost so far (zero in memory).
    public var rocksDBWork: RocksDBStateWork {
        if case .rocksDB(let r) = storage { r.cache.work } else { RocksDBStateWork() }
    }

    /// Number of (key, user key) entries.
    public var count: Int {
        switch storage {
        case .memory(let m): m.count
        case .rocksDB(let r): r.count
        }
    }
}

extension MapState: WriteBackState {
    func flush() throws {
        if case .rocksDB(let r) = storage { try r.flush() }
    }
}

extension MapState: WatermarkedState {
    /// Map state has no entry expiry (yet): nothing to do.
    public func advance(to watermark: Watermark) {}
}
