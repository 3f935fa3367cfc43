/// Keyed state in the process's memory: for tests and small jobs (`--state memory`).
public final class MemoryStateBackend: StateBackend {
    private struct StateID: Hashable {
        var `operator`: OperatorID
        var name: String
    }

    private var states: [StateID: AnyObject] = [:]

    public init() {}

    public func valueState<K: StateKey, N: StateNamespace, V: StateCodable>(
        operator: OperatorID, name: String, key: K.Type, namespace: N.Type, value: V.Type
    ) throws -> ValueState<K, N, V> {
        let id = StateID(operator: `operator`, name: name)
        if let existing = states[id] {
            guard let state = existing as? ValueState<K, N, V> else {
                throw StateBackendError("state '\(name)' of operator '\(`operator`)' was declared with other types")
            }
            return state
        }
        let state = ValueState<K, N, V>(memoryFor: `operator`, name: name)
        states[id] = state
        return state
    }

    public func mapState<K: StateKey, UK: StateKey, V: StateCodable>(
        operator: OperatorID, name: String, key: K.Type, userKey: UK.Type, value: V.Type
    ) throws -> MapState<K, UK, V> {
        let id = StateID(operator: `operator`, name: name)
        if let existing = states[id] {
            guard let state = existing as? MapState<K, UK, V> else {
                throw StateBackendError("state '\(name)' of operator '\(`operator`)' was declared with other types")
            }
            return state
        }
        let state = MapState<K, UK, V>(memoryFor: `operator`, name: name)
        states[id] = state
        return state
    }
}
