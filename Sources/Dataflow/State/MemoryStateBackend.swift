/// Keyed state in the process's memory: for tests and small jobs (`--state memory`).
public final class MemoryStateBackend: StateBackend {
    private var registry = StateRegistry()

    public init() {}

    public func valueState<K: StateKey, N: StateNamespace, V: StateCodable>(
        operator: OperatorID, name: String, key: K.Type, namespace: N.Type, value: V.Type
    ) throws -> ValueState<K, N, V> {
        try registry.state(`operator`, name) { ValueState<K, N, V>(memoryFor: `operator`, name: name) }
    }

    public func mapState<K: StateKey, UK: StateKey, V: StateCodable>(
        operator: OperatorID, name: String, key: K.Type, userKey: UK.Type, value: V.Type
    ) throws -> MapState<K, UK, V> {
        try registry.state(`operator`, name) { MapState<K, UK, V>(memoryFor: `operator`, name: name) }
    }
}
