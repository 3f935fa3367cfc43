/// One named piece of keyed state of one operator: values addressed by (key, namespace).
///
/// The key is always an argument (there is no hidden "current key"), so an operator
/// can touch the state of any key it owns, for example when a timer fires.
public protocol KeyedValueTable<Key, Namespace, Value>: AnyObject {
    associatedtype Key: StateKey
    associatedtype Namespace: StateNamespace
    associatedtype Value: StateCodable

    func get(_ key: Key, _ namespace: Namespace) throws -> Value?
    func put(_ key: Key, _ namespace: Namespace, _ value: Value) throws
    func remove(_ key: Key, _ namespace: Namespace) throws
    /// Reads, changes and writes back one entry in one step (`nil` = absent; setting
    /// `nil` removes it). Backends do this with a single lookup where they can.
    func update<R>(_ key: Key, _ namespace: Namespace, _ body: (inout Value?) throws -> R) throws -> R
    /// Number of entries.
    var count: Int { get }
    /// Every entry whose key falls in `groups` (order unspecified across groups).
    func forEach(in groups: KeyGroupRange, _ body: (Key, Namespace, Value) throws -> Void) throws
}

/// Where keyed state lives. Operators ask it for tables by (operator id, state name)
/// and never see how entries are stored; the layout of byte-oriented backends is
/// `StateKeyLayout`.
public protocol StateBackend: AnyObject {
    /// The table named `name` of `operator`; asking twice returns the same table.
    func valueTable<K: StateKey, N: StateNamespace, V: StateCodable>(
        operator: OperatorID, name: String, key: K.Type, namespace: N.Type, value: V.Type
    ) throws -> any KeyedValueTable<K, N, V>
}

public struct StateBackendError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
