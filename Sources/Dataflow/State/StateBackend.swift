/// Where keyed state lives. Operators ask it for named state of theirs and never see
/// how entries are stored; the layout of byte-oriented backends is `StateKeyLayout`.
///
/// A backend also takes the state part of a checkpoint (`checkpoint(into:)`), between
/// batches, when no operator is inside a call; it is restored by making it from that
/// directory (`MemoryStateBackend(restoringFrom:)`, `RocksDBStateBackend(...restoringFrom:)`).
public protocol StateBackend: AnyObject {
    var kind: StateBackendKind { get }

    /// The value state `name` of `operator`; asking twice returns the same state.
    func valueState<K: StateKey, N: StateNamespace, V: StateCodable>(
        operator: OperatorID, name: String, key: K.Type, namespace: N.Type, value: V.Type
    ) throws -> ValueState<K, N, V>

    /// The map state `name` of `operator`; asking twice returns the same state.
    func mapState<K: StateKey, UK: StateKey, V: StateCodable>(
        operator: OperatorID, name: String, key: K.Type, userKey: UK.Type, value: V.Type
    ) throws -> MapState<K, UK, V>

    /// Writes a consistent copy of every state into `directory`, which does not exist yet.
    func checkpoint(into directory: String) throws
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
