/// A map state's entries in the process's memory (the memory backend): one dictionary
/// of user keys per key.
public final class MemoryMapStorage<Key: StateKey, UserKey: StateKey, Value: StateCodable> {
    @usableFromInline var maps: [Key: [UserKey: Value]] = [:]
    /// Writes the entries into a memory-backend snapshot (see `prepareSnapshots`).
    @usableFromInline var snapshotWriter: ((inout ChecksummedFileWriter) throws -> Void)?

    init() {}

    @inlinable
    func get(_ key: Key, _ userKey: UserKey) -> Value? { maps[key]?[userKey] }

    @inlinable
    func update<R>(_ key: Key, _ userKey: UserKey, _ body: (inout Value?) throws -> R) rethrows -> R {
        try body(&maps[key, default: [:]][userKey])
    }

    /// Sorted by user key's codec bytes (the order a byte-oriented backend scans in).
    func entries(of key: Key) -> [(UserKey, Value)] {
        guard let map = maps[key] else { return [] }
        return map.map { ($0.key, $0.value) }.sorted { a, b in
            var wa = StateWriter(), wb = StateWriter()
            a.0.encode(to: &wa)
            b.0.encode(to: &wb)
            return wa.bytes.lexicographicallyPrecedes(wb.bytes)
        }
    }

    var count: Int { maps.values.reduce(0) { $0 + $1.count } }
}
