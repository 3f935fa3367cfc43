import Dataflow

/// The user logic of a keyed `process` operator: per-record handling with keyed state
/// and event-time timers.
///
/// The key is passed explicitly to every call (there is no hidden "current key"), and
/// timers carry the key and a scope of the function's choosing (for example a window's end).
public protocol KeyedProcessFunction {
    associatedtype Key: StateKey
    associatedtype Input
    associatedtype Output
    /// A second output (late records, duplicates); `Never` when there is none.
    associatedtype Side = Never
    associatedtype TimerScope: StateNamespace = NoNamespace

    /// Called once before the first record: declare state tables here.
    mutating func open(_ state: StateScope) throws

    /// Called for each record, with the context's watermark as it was just before the record.
    mutating func processElement(_ input: Input, key: Key, context: ProcessContext<Self>) throws

    /// Called when the watermark reaches a registered timer's time.
    mutating func onTimer(_ time: Int64, key: Key, scope: TimerScope, context: ProcessContext<Self>) throws
}

extension KeyedProcessFunction {
    public mutating func onTimer(_ time: Int64, key: Key, scope: TimerScope, context: ProcessContext<Self>) throws {}
}

/// The states of one operator (or of one key partition of it), named within it.
public final class StateScope {
    public let operatorID: OperatorID
    public let backend: any StateBackend
    /// The key groups whose state this scope hands out: all, or one partition's.
    public let groups: KeyGroupRange
    /// Every state handed out, so that the operator can move their watermark.
    public private(set) var states: [any WatermarkedState] = []

    @usableFromInline
    func track(_ state: any WatermarkedState) {
        if !states.contains(where: { $0 === state }) { states.append(state) }
    }

    public init(operatorID: OperatorID, backend: any StateBackend, groups: KeyGroupRange = .all) {
        self.operatorID = operatorID
        self.backend = backend
        self.groups = groups
    }

    /// (Inlinable so that it is specialized where a job declares its state: the state's
    /// snapshot writer is then made in specialized code; see `ValueState.prepareSnapshots`.)
    @inlinable
    public func valueState<K: StateKey, N: StateNamespace, V: StateCodable>(
        _ name: String, key: K.Type = K.self, namespace: N.Type = N.self, value: V.Type = V.self,
        expiries: ExpiryOrder = .any
    ) throws -> ValueState<K, N, V> {
        let state = try backend.valueState(operator: operatorID, name: name, groups: groups, key: key,
                                           namespace: namespace, value: value)
        try state.expect(expiries)
        state.prepareSnapshots()
        track(state)
        return state
    }

    public func listState<K: StateKey, N: StateNamespace, E: StateCodable>(
        _ name: String, key: K.Type = K.self, namespace: N.Type = N.self, element: E.Type = E.self
    ) throws -> ListState<K, N, E> {
        let state = try ListState<K, N, E>(backend: backend, operator: operatorID, name: name, groups: groups)
        track(state)
        return state
    }

    @inlinable
    public func mapState<K: StateKey, UK: StateKey, V: StateCodable>(
        _ name: String, key: K.Type = K.self, userKey: UK.Type = UK.self, value: V.Type = V.self
    ) throws -> MapState<K, UK, V> {
        let state = try backend.mapState(operator: operatorID, name: name, groups: groups, key: key,
                                         userKey: userKey, value: value)
        state.prepareSnapshots()
        track(state)
        return state
    }
}
