/// Keyed state in RocksDB (`--state rocksdb`): state larger than memory, with memory
/// bounded by the database's block cache and write buffers.
///
/// Every state of every operator shares one database; entries are addressed by
/// `StateKeyLayout`, so one operator's state in a range of key groups is a contiguous
/// range of keys.
public final class RocksDBStateBackend: StateBackend {
    public let database: RocksDatabase
    private var registry = StateRegistry()

    public var kind: StateBackendKind { .rocksdb }

    /// Opens the database in `directory` (created if missing). Given a checkpoint's
    /// state directory, first replaces whatever `directory` holds with that checkpoint:
    /// its SST files hard-linked (RocksDB never changes an SST file, and deletes only its
    /// own link), its small metadata files copied (RocksDB rewrites those).
    public init(directory: String, memoryBudget: Int64 = 256 << 20, restoringFrom checkpoint: String? = nil) throws {
        if let checkpoint {
            try Directory.remove(directory)
            try Directory.create(directory)
            for name in try Directory.list(checkpoint) {
                if name.hasSuffix(".sst") {
                    try Directory.link(checkpoint + "/" + name, to: directory + "/" + name)
                } else {
                    try Directory.copyFile(checkpoint + "/" + name, to: directory + "/" + name)
                }
            }
        }
        try Directory.create(directory)
        database = try RocksDatabase(path: directory, memoryBudget: memoryBudget)
    }

    public func checkpoint(into directory: String) throws {
        try writeBack()
        try database.checkpoint(into: directory)
    }

    public func writeBack() throws {
        for state in registry.all { try (state as? any WriteBackState)?.flush() }
    }

    /// The partitions of one state share the database: their keys are disjoint, since
    /// the key group comes first in every key, and RocksDB takes reads and writes from
    /// several threads.
    public func valueState<K: StateKey, N: StateNamespace, V: StateCodable>(
        operator: OperatorID, name: String, groups: KeyGroupRange, key: K.Type, namespace: N.Type, value: V.Type
    ) throws -> ValueState<K, N, V> {
        try registry.state(`operator`, name, groups) {
            ValueState<K, N, V>(rocksDB: database, operatorID: `operator`, name: name, groups: groups)
        }
    }

    public func mapState<K: StateKey, UK: StateKey, V: StateCodable>(
        operator: OperatorID, name: String, groups: KeyGroupRange, key: K.Type, userKey: UK.Type, value: V.Type
    ) throws -> MapState<K, UK, V> {
        try registry.state(`operator`, name, groups) {
            MapState<K, UK, V>(rocksDB: database, operatorID: `operator`, name: name, groups: groups)
        }
    }
}
