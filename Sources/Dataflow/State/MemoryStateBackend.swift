/// Keyed state in the process's memory: for tests and small jobs (`--state memory`).
///
/// Its checkpoint is a snapshot file of every entry (`MemoryStateSnapshot`); a backend
/// restored from one hands each state its entries back when the job asks for it.
public final class MemoryStateBackend: StateBackend {
    private var registry = StateRegistry()
    /// Entries of a restored snapshot whose states the job has not asked for yet.
    private var restoring: [StateEntryCount.ID: MemoryStateSnapshot.Section] = [:]
    /// The snapshot files of the last checkpoint taken or restored: the next one links
    /// them and adds the changes since.
    private var chain: [String] = []

    public var kind: StateBackendKind { .memory }

    public init() {}

    /// A backend holding the state of the checkpoint whose state directory is `directory`.
    public init(restoringFrom directory: String) throws {
        restoring = try MemoryStateSnapshot.read(from: directory)
        chain = try MemoryStateSnapshot.files(in: directory).map { directory + "/" + $0 }
    }

    public func valueState<K: StateKey, N: StateNamespace, V: StateCodable>(
        operator: OperatorID, name: String, groups: KeyGroupRange, key: K.Type, namespace: N.Type, value: V.Type
    ) throws -> ValueState<K, N, V> {
        let state = try registry.state(`operator`, name, groups) {
            ValueState<K, N, V>(memoryFor: `operator`, name: name, groups: groups)
        }
        try restore(state)
        return state
    }

    public func mapState<K: StateKey, UK: StateKey, V: StateCodable>(
        operator: OperatorID, name: String, groups: KeyGroupRange, key: K.Type, userKey: UK.Type, value: V.Type
    ) throws -> MapState<K, UK, V> {
        let state = try registry.state(`operator`, name, groups) {
            MapState<K, UK, V>(memoryFor: `operator`, name: name, groups: groups)
        }
        try restore(state)
        return state
    }

    /// Hands a state the restored entries of its key groups; the rest wait for the
    /// states of the other partitions.
    private func restore(_ state: some MemorySnapshotState) throws {
        let id = StateEntryCount.ID(operator: state.operatorID, state: state.name)
        guard let section = restoring.removeValue(forKey: id) else { return }
        guard section.kind == state.snapshotKind else {
            throw StateBackendError("state '\(state.name)' of operator '\(state.operatorID)' was checkpointed as another kind of state")
        }
        let others = try state.restoreEntries(section.entries)
        if !others.isEmpty { restoring[id] = MemoryStateSnapshot.Section(kind: section.kind, entries: others) }
    }

    public func checkpoint(into directory: String) throws {
        chain = try MemoryStateSnapshot.write(registry.all.map { $0 as! any MemorySnapshotState }, previous: chain,
                                              into: directory)
    }
}
