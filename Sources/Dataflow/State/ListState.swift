/// Keyed list state: for each (key, namespace), a list of elements in the order they
/// were appended (the records of a window kept whole, a session's events).
///
/// Built from two states of the same backend, so it is stored, checkpointed and
/// restored like them: the elements in a map state under (namespace, index), and each
/// list's length in a value state. Appending is two point writes, whatever the list's
/// length (no read-modify-write of the whole list); reading is one point read per element.
public final class ListState<Key: StateKey, Namespace: StateNamespace, Element: StateCodable> {
    @usableFromInline let elements: MapState<Key, ListIndex<Namespace>, Element>
    @usableFromInline let lengths: ValueState<Key, Namespace, Int64>

    init(elements: MapState<Key, ListIndex<Namespace>, Element>, lengths: ValueState<Key, Namespace, Int64>) {
        self.elements = elements
        self.lengths = lengths
    }

    /// Makes the list state `name` of `operator` in `backend`, for the keys in `groups`.
    public convenience init(backend: any StateBackend, operator: OperatorID, name: String,
                            groups: KeyGroupRange = .all) throws {
        self.init(
            elements: try backend.mapState(operator: `operator`, name: name, groups: groups, key: Key.self,
                                           userKey: ListIndex<Namespace>.self, value: Element.self),
            lengths: try backend.valueState(operator: `operator`, name: name + ".length", groups: groups, key: Key.self,
                                            namespace: Namespace.self, value: Int64.self))
    }

    @inlinable
    public func append(_ key: Key, _ namespace: Namespace, _ element: Element) throws {
        let index = try lengths.get(key, namespace) ?? 0
        try elements.put(key, ListIndex(namespace: namespace, index: index), element)
        try lengths.put(key, namespace, index + 1)
    }

    /// The elements in append order; empty for a list never appended to.
    public func get(_ key: Key, _ namespace: Namespace) throws -> [Element] {
        let n = try lengths.get(key, namespace) ?? 0
        var result: [Element] = []
        result.reserveCapacity(Int(n))
        for i in 0 ..< n {
            guard let element = try elements.get(key, ListIndex(namespace: namespace, index: i)) else {
                throw StateBackendError("list state '\(lengths.name)' lost element \(i) of \(n)")
            }
            result.append(element)
        }
        return result
    }

    public func count(_ key: Key, _ namespace: Namespace) throws -> Int64 { try lengths.get(key, namespace) ?? 0 }

    /// Removes the list.
    public func clear(_ key: Key, _ namespace: Namespace) throws {
        let n = try lengths.get(key, namespace) ?? 0
        for i in 0 ..< n { try elements.remove(key, ListIndex(namespace: namespace, index: i)) }
        try lengths.remove(key, namespace)
    }
}

extension ListState: WatermarkedState {
    /// No entry expiry in lists (yet); the parts follow the operator's watermark anyway.
    public func advance(to watermark: Watermark) throws {
        try lengths.advance(to: watermark)
    }
}

/// Where a list element is stored: its list's namespace, then its index (big-endian, so
/// a byte-ordered backend keeps one list's elements together and in order).
public struct ListIndex<Namespace: StateNamespace>: StateKey {
    public var namespace: Namespace
    public var index: Int64

    @inlinable public init(namespace: Namespace, index: Int64) {
        self.namespace = namespace
        self.index = index
    }

    public func encode(to writer: inout StateWriter) {
        namespace.encode(to: &writer)
        writer.write(index)
    }

    public static func decode(from reader: inout StateReader) throws -> ListIndex {
        ListIndex(namespace: try Namespace.decode(from: &reader), index: try reader.readInt64())
    }
}
