/// One named piece of keyed state of one operator: values addressed by (key, namespace).
///
/// The key is always an argument (there is no hidden "current key"), so an operator
/// can touch the state of any key it owns, for example when a timer fires.
///
/// Entries may carry an event-time expiry (`put(_:_:_:expiringAt:)`): an entry whose
/// expiry the state's watermark has reached reads as absent, exactly, and is deleted in
/// bulk as the watermark passes (no timer per entry). The operator owning the state
/// moves its watermark (`advance(to:)`).
///
/// A concrete class rather than a protocol so that operators call it directly and the
/// compiler specializes every access for the operator's key and value types. Where the
/// entries live is its `storage`, chosen by the backend that made it: one enum switch
/// per access picks `MemoryValueStorage` or `RocksDBValueStorage`, each in its own file.
public final class ValueState<Key: StateKey, Namespace: StateNamespace, Value: StateCodable> {
    @usableFromInline
    enum Storage {
        /// In the process's memory (the memory backend).
        case memory(MemoryValueStorage<Key, Namespace, Value>)
        /// In RocksDB.
        case rocksDB(RocksDBValueStorage<Key, Namespace, Value>)
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
        storage = .memory(MemoryValueStorage(stateLabel: "state '\(name)' of operator '\(operatorID)'"))
    }

    init(rocksDB database: RocksDatabase, operatorID: OperatorID, name: String, groups: KeyGroupRange = .all) {
        self.operatorID = operatorID
        self.name = name
        self.groups = groups
        storage = .rocksDB(RocksDBValueStorage(database, operatorID: operatorID, name: name, groups: groups,
                                               stateLabel: "state '\(name)' of operator '\(operatorID)'"))
    }

    @inlinable
    var rules: ExpiryRules {
        switch storage {
        case .memory(let m): m.rules
        case .rocksDB(let r): r.rules
        }
    }

    /// The watermark expiries are judged against.
    public var watermark: Watermark { rules.watermark }

    /// What the state promises about its expiries (`expect(_:)`).
    public var expiryOrder: ExpiryOrder { rules.order }

    /// Declares what the state's puts promise about expiries (`ExpiryOrder`), before the
    /// first put; a state once declared growing stays so.
    public func expect(_ order: ExpiryOrder) throws {
        guard order == .growing, expiryOrder != .growing else { return }
        switch storage {
        case .memory(let m): m.rules.order = order
        case .rocksDB(let r):
            r.rules.order = order
            try r.expectGrowing()
        }
    }

    @inlinable
    public func get(_ key: Key, _ namespace: Namespace) throws -> Value? {
        switch storage {
        case .memory(let m): return m.get(key, namespace)
        case .rocksDB(let r): return try r.get(key, namespace)
        }
    }

    @inlinable
    public func put(_ key: Key, _ namespace: Namespace, _ value: Value) throws {
        try update(key, namespace) { $0 = value }
    }

    /// Puts an entry that exists until the watermark reaches `expiresAt`.
    @inlinable
    public func put(_ key: Key, _ namespace: Namespace, _ value: Value, expiringAt expiresAt: Int64) throws {
        switch storage {
        case .memory(let m): try m.put(key, namespace, value, expiringAt: expiresAt)
        case .rocksDB(let r): try r.put(key, namespace, value, expiringAt: expiresAt)
        }
    }

    /// Puts an entry that exists until the watermark reaches `expiresAt`, unless a live
    /// entry is there: then returns its value and changes nothing. A key seen for the
    /// first time (dedup's common case) costs one hash lookup in memory, not two.
    @inlinable
    public func putIfAbsent(_ key: Key, _ namespace: Namespace, _ value: Value, expiringAt expiresAt: Int64) throws -> Value? {
        switch storage {
        case .memory(let m):
            return m.putIfAbsent(key, namespace, value, expiringAt: expiresAt)
        case .rocksDB(let r):
            if let live = try r.get(key, namespace) { return live }
            try r.put(key, namespace, value, expiringAt: expiresAt)
            return nil
        }
    }

    @inlinable
    public func remove(_ key: Key, _ namespace: Namespace) throws {
        try update(key, namespace) { $0 = nil }
    }

    /// Reads, changes and writes back one entry in one step (`nil` = absent; setting
    /// `nil` removes it), with a single lookup. A changed entry keeps its expiry.
    @inlinable
    public func update<R>(_ key: Key, _ namespace: Namespace, _ body: (inout Value?) throws -> R) throws -> R {
        switch storage {
        case .memory(let m): return try m.update(key, namespace, body)
        case .rocksDB(let r): return try r.update(key, namespace, body)
        }
    }

    /// Moves the state's watermark and deletes the entries that expired.
    @inlinable
    public func advance(to watermark: Watermark) throws {
        guard watermark > self.watermark else { return }
        switch storage {
        case .memory(let m): m.rules.watermark = watermark
        case .rocksDB(let r): r.rules.watermark = watermark
        }
        // At the end of input every entry with an expiry reads as absent already;
        // deleting them one by one would only delay the end of the run.
        if watermark == .end { return }
        switch storage {
        case .memory(let m): m.deleteExpired()
        case .rocksDB(let r): try r.watermarkMoved()
        }
    }

    /// What keeping this state in RocksDB has cost so far (zero in memory).
    public var rocksDBWork: RocksDBStateWork {
        if case .rocksDB(let r) = storage { r.work } else { RocksDBStateWork() }
    }

    /// Number of entries held, expired ones not yet deleted included.
    public var count: Int {
        switch storage {
        case .memory(let m): m.count
        case .rocksDB(let r): r.count
        }
    }

    /// Every live entry whose key falls in `groups` (of those this state holds).
    public func forEach(in groups: KeyGroupRange, _ body: (Key, Namespace, Value) throws -> Void) throws {
        switch storage {
        case .memory(let m): try m.forEach(in: groups, body)
        case .rocksDB(let r): try r.forEach(in: groups, body)
        }
    }
}

/// What an operator holds of its states to move their watermark.
public protocol WatermarkedState: AnyObject {
    func advance(to watermark: Watermark) throws
}

extension ValueState: WatermarkedState {}

extension ValueState: WriteBackState {
    func flush() throws {
        if case .rocksDB(let r) = storage { try r.flush() }
    }
}
