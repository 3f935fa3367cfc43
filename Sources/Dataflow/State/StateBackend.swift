/// Where keyed state lives. Operators ask it for named state of theirs and never see
/// how entries are stored; the layout of byte-oriented backends is `StateKeyLayout`.
///
/// A backend also takes the state part of a checkpoint (`checkpoint(into:)`), between
/// batches, when no operator is inside a call; it is restored by making it from that
/// directory (`MemoryStateBackend(restoringFrom:)`, `RocksDBStateBackend(...restoringFrom:)`).
public protocol StateBackend: AnyObject {
    var kind: StateBackendKind { get }

    /// The value state `name` of `operator` for the keys in `groups`; asking twice
    /// returns the same state.
    ///
    /// An operator split into key partitions asks once per partition, each with its own
    /// range of key groups: each partition gets a state of its own (used from its own
    /// thread), all of them one state in checkpoints, where entries are kept by key, so
    /// that a checkpoint restores into any split of the key groups.
    func valueState<K: StateKey, N: StateNamespace, V: StateCodable>(
        operator: OperatorID, name: String, groups: KeyGroupRange, key: K.Type, namespace: N.Type, value: V.Type
    ) throws -> ValueState<K, N, V>

    /// The map state `name` of `operator` for the keys in `groups` (as `valueState`).
    func mapState<K: StateKey, UK: StateKey, V: StateCodable>(
        operator: OperatorID, name: String, groups: KeyGroupRange, key: K.Type, userKey: UK.Type, value: V.Type
    ) throws -> MapState<K, UK, V>

    /// Writes a consistent copy of every state into `directory`, which does not exist yet.
    func checkpoint(into directory: String) throws

    /// Writes what waits in memory for the backend's own store (RocksDB's write-back
    /// caches), so that the next checkpoint has little left to write: called while the
    /// job is idle, when no operator is inside a call. Nothing to do for most backends.
    func writeBack() throws
}

extension StateBackend {
    public func writeBack() throws {}
}

extension StateBackend {
    /// The value state `name` of `operator` over every key.
    public func valueState<K: StateKey, N: StateNamespace, V: StateCodable>(
        operator: OperatorID, name: String, key: K.Type, namespace: N.Type, value: V.Type
    ) throws -> ValueState<K, N, V> {
        try valueState(operator: `operator`, name: name, groups: .all, key: key, namespace: namespace, value: value)
    }

    /// The map state `name` of `operator` over every key.
    public func mapState<K: StateKey, UK: StateKey, V: StateCodable>(
        operator: OperatorID, name: String, key: K.Type, userKey: UK.Type, value: V.Type
    ) throws -> MapState<K, UK, V> {
        try mapState(operator: `operator`, name: name, groups: .all, key: key, userKey: userKey, value: value)
    }
}

/// The kinds of state backend, as `--state` names them and checkpoints record them.
public enum StateBackendKind: String, Sendable, CaseIterable {
    case memory
    case rocksdb

    /// Entries per operator and state in the state directory of a checkpoint.
    public func entryCounts(ofCheckpoint directory: String) throws -> [StateEntryCount] {
        if try Directory.list(directory).isEmpty { return [] }  // a finished run's checkpoint
        switch self {
        case .memory: return try MemoryStateSnapshot.entryCounts(in: directory)
        case .rocksdb: return try RocksDatabase(path: directory, memoryBudget: 16 << 20, readOnly: true).entryCounts()
        }
    }
}

public struct StateBackendError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
