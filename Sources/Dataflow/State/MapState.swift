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
    }

    @usableFromInline var storage: Storage
    public let operatorID: OperatorID
    public let name: String

    init(memoryFor operatorID: OperatorID, name: String) {
        self.operatorID = operatorID
        self.name = name
        storage = .memory([:])
    }

    @inlinable
    public func get(_ key: Key, _ userKey: UserKey) throws -> Value? {
        switch storage {
        case .memory(let maps): return maps[key]?[userKey]
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
        }
    }

    /// Number of (key, user key) entries.
    public var count: Int {
        switch storage {
        case .memory(let maps): maps.values.reduce(0) { $0 + $1.count }
        }
    }
}

extension MapState: WatermarkedState {
    /// Map state has no entry expiry (yet): nothing to do.
    public func advance(to watermark: Watermark) {}
}
