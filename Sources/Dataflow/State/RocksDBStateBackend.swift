/// Keyed state in RocksDB (`--state rocksdb`): state larger than memory, with memory
/// bounded by the database's block cache and write buffers.
///
/// Every state of every operator shares one database; entries are addressed by
/// `StateKeyLayout`, so one operator's state in a range of key groups is a contiguous
/// range of keys.
public final class RocksDBStateBackend: StateBackend {
    public let database: RocksDatabase
    private struct StateID: Hashable {
        var `operator`: OperatorID
        var name: String
    }

    private var states: [StateID: AnyObject] = [:]

    /// Opens the database in `directory` (created if missing).
    public init(directory: String, memoryBudget: Int64 = 256 << 20) throws {
        database = try RocksDatabase(path: directory, memoryBudget: memoryBudget)
    }

    public func valueState<K: StateKey, N: StateNamespace, V: StateCodable>(
        operator: OperatorID, name: String, key: K.Type, namespace: N.Type, value: V.Type
    ) throws -> ValueState<K, N, V> {
        try state(StateID(operator: `operator`, name: name)) {
            ValueState<K, N, V>(rocksDB: database, operatorID: `operator`, name: name)
        }
    }

    public func mapState<K: StateKey, UK: StateKey, V: StateCodable>(
        operator: OperatorID, name: String, key: K.Type, userKey: UK.Type, value: V.Type
    ) throws -> MapState<K, UK, V> {
        try state(StateID(operator: `operator`, name: name)) {
            MapState<K, UK, V>(rocksDB: database, operatorID: `operator`, name: name)
        }
    }

    private func state<S: AnyObject>(_ id: StateID, make: () -> S) throws -> S {
        if let existing = states[id] {
            guard let state = existing as? S else {
                throw StateBackendError("state '\(id.name)' of operator '\(id.operator)' was declared with other types")
            }
            return state
        }
        let state = make()
        states[id] = state
        return state
    }
}
