/// A value state's entries in RocksDB: under `StateKeyLayout`, each value prefixed with
/// its expiry; entries with an expiry also have a key in the expiry index, unless the
/// state's expiries are growing (`ExpiryOrder`: compactions then drop expired entries).
/// Entries read and written lately sit in a write-back cache.
public final class RocksDBValueStorage<Key: StateKey, Namespace: StateNamespace, Value: StateCodable> {
    @usableFromInline typealias Entry = StateEntry<Key, Namespace>
    @usableFromInline typealias Stored = ExpiringValue<Value>

    @usableFromInline let db: RocksDatabase
    @usableFromInline let operatorID: OperatorID
    @usableFromInline let name: String
    @usableFromInline let groups: KeyGroupRange
    @usableFromInline var rules: ExpiryRules
    /// No key in the expiry index (of this state's key groups) expires before this, so
    /// the index is swept only once the watermark has reached it. Keys reach the index
    /// when the cache is flushed. A database restored from a checkpoint may hold index
    /// entries: the first sweep looks.
    @usableFromInline var earliestIndexedExpiry: Int64 = .min
    /// The watermark of the last sweep: every index key of this state's key groups
    /// expiring at or before it is deleted, and no later flush writes one (an entry that
    /// has expired is written as a delete), so the next sweep seeks past them and their
    /// tombstones. `nil` before the first sweep.
    @usableFromInline var sweptThrough: Int64? = nil
    /// Watermark advances since the last sweep at which one was due.
    @usableFromInline var dueAdvances = 0
    /// What the sweeps have cost (the cache counts its flushes).
    @usableFromInline var sweepWork = RocksDBStateWork()
    /// Entries read and written lately, written back in batches.
    @usableFromInline var cache = WriteBackCache<Entry, Stored>()
    /// A growing state: where compactions read its watermark.
    @usableFromInline var compactionExpiry: CompactionExpiry.Registration?
    /// A growing state: the keys it may hold here, so that looking up one it never wrote
    /// skips RocksDB.
    @usableFromInline var presence: KeyPresenceFilter?

    init(_ db: RocksDatabase, operatorID: OperatorID, name: String, groups: KeyGroupRange, stateLabel: String) {
        self.db = db
        self.operatorID = operatorID
        self.name = name
        self.groups = groups
        rules = ExpiryRules(stateLabel: stateLabel)
    }

    /// A growing state's compactions drop its expired entries, and a filter of its keys
    /// spares lookups of keys it never wrote.
    func expectGrowing() throws {
        compactionExpiry = db.compactionExpiry.register(operator: operatorID, state: name, groups: groups)
        compactionExpiry!.publish(rules.watermark)
        presence = try fillPresence()
    }

    /// A filter of the keys the database holds for this state (a restored one holds some).
    func fillPresence() throws -> KeyPresenceFilter {
        var filter = KeyPresenceFilter()
        try flush()
        for g in groups.lowerBound ... groups.upperBound {
            let prefix = StateKeyLayout.prefix(group: KeyGroup(index: g), operator: operatorID, state: name)
            try db.scan(prefix: prefix) { key, bytes in
                let parts = try StateKeyLayout.decode(key, key: Key.self, namespace: Namespace.self)
                var reader = StateReader(bytes)
                filter.insert(Self.presenceHash(Entry(key: parts.key, namespace: parts.namespace)),
                              expiresAt: try reader.readInt64())
                return true
            }
        }
        return filter
    }

    @inlinable
    static func presenceHash(_ entry: Entry) -> UInt64 {
        UInt64(bitPattern: Int64(entry._rawHashValue(seed: 0x5bd1e995)))
    }

    @usableFromInline
    func readStored(_ entry: Entry) throws -> Stored? {
        let entryKey = StateKeyLayout.encode(operator: operatorID, state: name, key: entry.key, namespace: entry.namespace)
        guard let bytes = try db.get(entryKey) else { return nil }
        var reader = StateReader(bytes)
        let expiresAt = try reader.readInt64()
        return Stored(value: try Value.decode(from: &reader), expiresAt: expiresAt)
    }

    @inlinable
    func get(_ key: Key, _ namespace: Namespace) throws -> Value? {
        guard let stored = try cachedStored(Entry(key: key, namespace: namespace)),
              !rules.hasExpired(stored.expiresAt) else { return nil }
        return stored.value
    }

    /// The stored entry, from the cache or else from RocksDB (then cached).
    @inlinable
    func cachedStored(_ entry: Entry) throws -> Stored? {
        if let slot = cache.slot(entry) { return slot.value }
        let stored = presence.map { $0.mayContain(Self.presenceHash(entry)) } == false ? nil : try readStored(entry)
        if cache.isFull { try writeBack() }
        cache.remember(entry, stored)
        return stored
    }

    @inlinable
    func put(_ key: Key, _ namespace: Namespace, _ value: Value, expiringAt expiresAt: Int64) throws {
        let entry = Entry(key: key, namespace: namespace)
        let indexed = rules.order != .growing
        if indexed {
            if cache.slot(entry) == nil, cache.isFull { try writeBack() }
        } else {
            try rules.checkOrder(live: try cachedStored(entry), putting: expiresAt)
        }
        cache.write(entry, Stored(value: value, expiresAt: expiresAt), newIndex: indexed)
    }

    @inlinable
    func update<R>(_ key: Key, _ namespace: Namespace, _ body: (inout Value?) throws -> R) throws -> R {
        let entry = Entry(key: key, namespace: namespace)
        let stored = try cachedStored(entry)
        let live = stored.flatMap { rules.hasExpired($0.expiresAt) ? nil : $0 }
        var value = live?.value
        let result = try body(&value)
        if let value {
            cache.write(entry, Stored(value: value, expiresAt: live?.expiresAt ?? .max), keepIndex: live != nil)
        } else if stored != nil {
            cache.write(entry, nil)
        }
        return result
    }

    /// Makes RocksDB hold the state exactly: writes the cache back, and deletes the
    /// entries the watermark has expired if any are due (not at the end of input, when
    /// every entry with an expiry reads as absent anyway).
    @usableFromInline
    func flush() throws {
        try writeBack()
        if rules.watermark != .end && rules.hasExpired(earliestIndexedExpiry) { try sweepExpired() }
    }

    /// Writes the cached changes to RocksDB: entries, removals and new TTL index keys.
    /// An entry that has expired is written as a delete (it reads as absent; written,
    /// it would need an index key that the next sweep deletes again).
    @usableFromInline
    func writeBack() throws {
        let operatorID = self.operatorID, name = self.name, rules = self.rules
        try cache.flush(db) { entry, slot, writes in
            let key = { (w: inout StateWriter) in
                StateKeyLayout.write(operator: operatorID, state: name, key: entry.key, namespace: entry.namespace, to: &w)
            }
            guard let stored = slot.value, !rules.hasExpired(stored.expiresAt) else { return writes.append(key: key, value: nil) }
            presence?.insert(Self.presenceHash(entry), expiresAt: stored.expiresAt)
            writes.append(key: key) { w in
                w.write(stored.expiresAt)
                stored.value.encode(to: &w)
            }
            if slot.indexPending {
                earliestIndexedExpiry = min(earliestIndexedExpiry, stored.expiresAt)
                writes.append(key: { w in
                    StateKeyLayout.writeExpiryIndexKey(operator: operatorID, state: name, expiresAt: stored.expiresAt,
                                                       entry: key, to: &w)
                }, value: { _ in })
            }
        }
    }

    /// What keeping this state in RocksDB has cost so far.
    var work: RocksDBStateWork {
        var work = cache.work
        work.sweeps = sweepWork.sweeps
        work.indexKeysVisited = sweepWork.indexKeysVisited
        work.entriesExpired = sweepWork.entriesExpired
        return work
    }

    /// After the watermark moved: tells compactions, retires filter keys, and sweeps
    /// the expiry index once enough advances found entries due.
    @inlinable
    func watermarkMoved() throws {
        compactionExpiry?.publish(rules.watermark)
        presence?.retire(at: rules.watermark)
        if rules.hasExpired(earliestIndexedExpiry) {
            dueAdvances += 1
            if dueAdvances >= Self.sweepInterval { try sweepExpired() }
        }
    }

    /// How many watermark advances with entries due may pass before they are deleted.
    /// Deleting is only about space (an expired entry reads as absent at once), and a
    /// sweep has a fixed cost (an iterator over every sorted run), so with expiries due
    /// at most advances, sweeping at each would cost more than the deletes themselves.
    /// Flushes (checkpoints, scans) sweep whatever is due.
    @usableFromInline static var sweepInterval: Int { 256 }

    /// Deletes the entries the watermark has expired, by the expiry index: reads the
    /// index from where the last sweep ended up to the first key not due, and deletes
    /// each due key and its entry, unless the entry was put again with another expiry
    /// since (it has an index key of its own then). Entries changed in the cache and not
    /// written back are left to the write-back (which writes expired ones as deletes).
    ///
    /// The index is one for all partitions of the state; each deletes only its own key
    /// groups' keys (the entry key after the expiry starts with its key group).
    ///
    /// - Complexity: O(e) reads and deletes for the e index keys due (of every partition),
    ///   plus one seek.
    @usableFromInline
    func sweepExpired() throws {
        let prefix = StateKeyLayout.expiryIndexPrefix(operator: operatorID, state: name)
        var start = prefix
        if let sweptThrough {
            var writer = StateWriter(capacity: 8)
            writer.write(sweptThrough + 1)
            start += writer.bytes
        }
        var due: [(index: [UInt8], expiresAt: Int64, entry: [UInt8])] = []
        var visited = 0
        earliestIndexedExpiry = .max
        let everyGroup = groups == .all
        try db.scan(prefix: prefix, from: start) { key, _ in
            visited += 1
            var reader = StateReader(key, offset: prefix.count)
            let expiresAt = try reader.readInt64()
            guard rules.hasExpired(expiresAt) else {
                earliestIndexedExpiry = expiresAt
                return false
            }
            if !everyGroup {
                guard let group = try? reader.readUInt16(), groups.contains(KeyGroup(index: group)) else { return true }
                reader.offset -= 2
            }
            due.append((key, expiresAt, Array(key[reader.offset...])))
            return true
        }
        var expired = 0
        try db.write { batch in
            for (index, expiresAt, entry) in due {
                if let bytes = try db.get(entry) {
                    var reader = StateReader(bytes)
                    if try reader.readInt64() == expiresAt {
                        batch.delete(entry)
                        expired += 1
                    }
                }
                batch.delete(index)
            }
        }
        sweptThrough = rules.watermark.time
        dueAdvances = 0
        sweepWork.sweeps += 1
        sweepWork.indexKeysVisited += visited
        sweepWork.entriesExpired += expired
    }

    /// Number of entries held, expired ones not yet deleted included.
    var count: Int {
        try? flush()
        return (try? db.countEntries(operator: operatorID, state: name)) ?? 0
    }

    func forEach(in groups: KeyGroupRange, _ body: (Key, Namespace, Value) throws -> Void) throws {
        try flush()
        for g in groups.lowerBound ... groups.upperBound {
            let prefix = StateKeyLayout.prefix(group: KeyGroup(index: g), operator: operatorID, state: name)
            try db.scan(prefix: prefix) { key, bytes in
                let parts = try StateKeyLayout.decode(key, key: Key.self, namespace: Namespace.self)
                var reader = StateReader(bytes)
                let expiresAt = try reader.readInt64()
                if !rules.hasExpired(expiresAt) { try body(parts.key, parts.namespace, try Value.decode(from: &reader)) }
                return true
            }
        }
    }
}
