/// Where keyed state lives. Operators ask it for named state of theirs and never see
/// how entries are stored; the layout of byte-oriented backends is `StateKeyLayout`.
public protocol StateBackend: AnyObject {
    /// The value state `name` of `operator`; asking twice returns the same state.
    func valueState<K: StateKey, N: StateNamespace, V: StateCodable>(
        operator: OperatorID, name: String, key: K.Type, namespace: N.Type, value: V.Type
    ) throws -> ValueState<K, N, V>

    /// The map state `name` of `operator`; asking twice returns the same state.
    func mapState<K: StateKey, UK: StateKey, V: StateCodable>(
        operator: OperatorID, name: String, key: K.Type, userKey: UK.Type, value: V.Type
    ) throws -> MapState<K, UK, V>
}

public struct StateBackendError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
