/// Keyed state in the process's memory: for tests and small jobs (`--state memory`).
public final class MemoryStateBackend: StateBackend {
    private struct TableID: Hashable {
        var `operator`: OperatorID
        var name: String
    }

    private var tables: [TableID: AnyObject] = [:]

    public init() {}

    public func valueTable<K: StateKey, N: StateNamespace, V: StateCodable>(
        operator: OperatorID, name: String, key: K.Type, namespace: N.Type, value: V.Type
    ) throws -> any KeyedValueTable<K, N, V> {
        let id = TableID(operator: `operator`, name: name)
        if let existing = tables[id] {
            guard let table = existing as? MemoryValueTable<K, N, V> else {
                throw StateBackendError("state '\(name)' of operator '\(`operator`)' was declared with other types")
            }
            return table
        }
        let table = MemoryValueTable<K, N, V>()
        tables[id] = table
        return table
    }
}

/// A value table in a dictionary.
public final class MemoryValueTable<Key: StateKey, Namespace: StateNamespace, Value: StateCodable>: KeyedValueTable {
    @usableFromInline
    struct Entry: Hashable {
        @usableFromInline var key: Key
        @usableFromInline var namespace: Namespace
        @usableFromInline init(key: Key, namespace: Namespace) {
            self.key = key
            self.namespace = namespace
        }
    }

    @usableFromInline var entries: [Entry: Value] = [:]

    public init() {}

    @inlinable public func get(_ key: Key, _ namespace: Namespace) -> Value? {
        entries[Entry(key: key, namespace: namespace)]
    }

    @inlinable public func put(_ key: Key, _ namespace: Namespace, _ value: Value) {
        entries[Entry(key: key, namespace: namespace)] = value
    }

    @inlinable public func remove(_ key: Key, _ namespace: Namespace) {
        entries[Entry(key: key, namespace: namespace)] = nil
    }

    @inlinable public func update<R>(_ key: Key, _ namespace: Namespace, _ body: (inout Value?) throws -> R) rethrows -> R {
        try body(&entries[Entry(key: key, namespace: namespace)])
    }

    public var count: Int { entries.count }

    public func forEach(in groups: KeyGroupRange, _ body: (Key, Namespace, Value) throws -> Void) rethrows {
        for (entry, value) in entries where groups.contains(KeyGroup(of: entry.key)) {
            try body(entry.key, entry.namespace, value)
        }
    }
}
