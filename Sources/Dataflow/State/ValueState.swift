/// One named piece of keyed state of one operator: values addressed by (key, namespace).
///
/// The key is always an argument (there is no hidden "current key"), so an operator
/// can touch the state of any key it owns, for example when a timer fires.
///
/// Entries may carry an event-time expiry (`put(_:_:_:expiringAt:)`): an entry whose
/// expiry the state's watermark has reached reads as absent, exactly, and is deleted in
/// bulk as the watermark passes (no timer per entry). The operator owning the state
/// moves its watermark (`advance(to:)`).
///
/// A concrete class rather than a protocol so that operators call it directly and the
/// compiler specializes every access for the operator's key and value types. Where the
/// entries live is its `storage`, chosen by the backend that made it.
public final class ValueState<Key: StateKey, Namespace: StateNamespace, Value: StateCodable> {
    @usableFromInline typealias Entry = StateEntry<Key, Namespace>

    @usableFromInline
    struct Stored {
        @usableFromInline var value: Value
        /// Event time at which the entry stops existing; `Int64.max` for never.
        @usableFromInline var expiresAt: Int64

        @usableFromInline init(value: Value, expiresAt: Int64) {
            self.value = value
            self.expiresAt = expiresAt
        }
    }

    @usableFromInline
    enum Storage {
        /// In the process's memory (the memory backend), in `table`.
        case memory
        /// In RocksDB: entries under `StateKeyLayout`, each value prefixed with its expiry;
        /// entries with an expiry also have a key in the expiry index, unless the state's
        /// expiries are growing (`ExpiryOrder`: compactions then drop expired entries).
        case rocksDB(RocksDatabase)
    }

    @usableFromInline var storage: Storage
    /// Memory storage: the entries, keys as their bytes.
    @usableFromInline var table = EncodedEntryTable<Stored>()
    /// Memory storage: where the key being looked up is encoded (no allocation once it
    /// has grown to the keys' size).
    @usableFromInline var scratch = StateWriter(capacity: 64)
    /// Writes the entries into a memory-backend snapshot (see `prepareSnapshots`): all of
    /// them, or (`true`) only those in `changeLog`.
    @usableFromInline var snapshotWriter: ((inout ChecksummedFileWriter, Bool) throws -> Void)?
    /// Memory storage: the entries put or removed since the last snapshot (their numbers
    /// in `table`, in order), so that the next one can hold only those
    /// (`MemoryStateSnapshot`). An entry is written as it is at the snapshot: a key's
    /// last number in the log is its newest entry, so a later change still overrides an
    /// earlier one. `nil` while not kept: before the first snapshot, once it outgrew half
    /// the state or 64 entries (a whole snapshot is then about as cheap, and the log stops
    /// costing memory and time until the next snapshot; a small state updated by every
    /// record, such as a window's, is written whole), and after the table renumbered its
    /// entries (removed ones can no longer be named).
    @usableFromInline var changeLog: [Int]? = nil
    /// Memory storage: entries put with an expiry (their numbers), in the order they were
    /// put: the front is deleted as the watermark passes it. Out-of-order expiries behind
    /// a later one wait for it (they already read as absent).
    @usableFromInline var expiries: [(expiresAt: Int64, entry: Int)] = []
    @usableFromInline var expiryHead = 0
    /// RocksDB storage: no key in the expiry index (of this state's key groups) expires
    /// before this, so the index is swept only once the watermark has reached it. Keys
    /// reach the index when the cache is flushed.
    @usableFromInline var earliestIndexedExpiry: Int64 = .max
    /// RocksDB storage: the watermark of the last sweep: every index key of this state's
    /// key groups expiring at or before it is deleted, and no later flush writes one
    /// (an entry that has expired is written as a delete), so the next sweep seeks past
    /// them and their tombstones. `nil` before the first sweep.
    @usableFromInline var sweptThrough: Int64? = nil
    /// RocksDB storage: watermark advances since the last sweep at which one was due.
    @usableFromInline var dueAdvances = 0
    /// RocksDB storage: what the sweeps have cost (the cache counts its flushes).
    @usableFromInline var sweepWork = RocksDBStateWork()
    /// RocksDB storage: entries read and written lately, written back in batches.
    @usableFromInline var cache = WriteBackCache<Entry, Stored>()
    /// What the state promises about its expiries (`expect(_:)`).
    public private(set) var expiryOrder = ExpiryOrder.any
    /// RocksDB storage of a growing state: where compactions read its watermark.
    @usableFromInline var compactionExpiry: CompactionExpiry.Registration?
    /// RocksDB storage of a growing state: the keys it may hold there, so that looking
    /// up one it never wrote skips RocksDB.
    @usableFromInline var presence: KeyPresenceFilter?
    /// The watermark expiries are judged against.
    public var watermark: Watermark { _watermark }
    @usableFromInline var _watermark: Watermark = .initial
    public let operatorID: OperatorID
    public let name: String
    /// The key groups whose entries this state holds: all of them, or one partition's.
    public let groups: KeyGroupRange

    init(memoryFor operatorID: OperatorID, name: String, groups: KeyGroupRange = .all) {
        self.operatorID = operatorID
        self.name = name
        self.groups = groups
        storage = .memory
    }

    init(rocksDB database: RocksDatabase, operatorID: OperatorID, name: String, groups: KeyGroupRange = .all) {
        self.operatorID = operatorID
        self.name = name
        self.groups = groups
        storage = .rocksDB(database)
        // A database restored from a checkpoint may hold index entries: look once.
        earliestIndexedExpiry = .min
    }

    /// Declares what the state's puts promise about expiries (`ExpiryOrder`), before the
    /// first put; a state once declared growing stays so.
    public func expect(_ order: ExpiryOrder) throws {
        guard order == .growing, expiryOrder != .growing else { return }
        expiryOrder = order
        if case .rocksDB(let db) = storage {
            compactionExpiry = db.compactionExpiry.register(operator: operatorID, state: name, groups: groups)
            compactionExpiry!.publish(watermark)
            presence = try fillPresence(db)
        }
    }

    /// A filter of the keys the database holds for this state (a restored one holds some).
    func fillPresence(_ db: RocksDatabase) throws -> KeyPresenceFilter {
        var filter = KeyPresenceFilter()
        try flush(db)
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

    /// Refuses a put that would give the live entry `live` an earlier expiry in a
    /// growing state (its older version could outlive a dropped newer one in RocksDB).
    @inlinable
    func checkExpiryOrder(live: Stored?, _ expiresAt: Int64) throws {
        guard expiryOrder == .growing, let live, !hasExpired(live.expiresAt), live.expiresAt > expiresAt else { return }
        throw StateBackendError("state '\(name)' of operator '\(operatorID)' expects growing expiries, "
            + "but an entry expiring at \(live.expiresAt) was put again expiring at \(expiresAt)")
    }

    // MARK: byte form (RocksDB)

    @usableFromInline
    func entryKey(_ key: Key, _ namespace: Namespace) -> [UInt8] {
        StateKeyLayout.encode(operator: operatorID, state: name, key: key, namespace: namespace)
    }

    @usableFromInline
    func readStored(_ db: RocksDatabase, _ entryKey: [UInt8]) throws -> Stored? {
        guard let bytes = try db.get(entryKey) else { return nil }
        var reader = StateReader(bytes)
        let expiresAt = try reader.readInt64()
        return Stored(value: try Value.decode(from: &reader), expiresAt: expiresAt)
    }

    @usableFromInline
    func storedBytes(_ stored: Stored) -> [UInt8] {
        var writer = StateWriter(capacity: 32)
        writer.write(stored.expiresAt)
        stored.value.encode(to: &writer)
        return writer.bytes
    }


    /// `Int64.max` is "never", even at the end of input's watermark.
    @inlinable
    func hasExpired(_ expiresAt: Int64) -> Bool {
        expiresAt != .max && watermark.hasReached(expiresAt)
    }

    /// Memory storage: encodes the entry's key bytes into `scratch`, and finds them.
    @inlinable
    func lookUp(_ key: Key, _ namespace: Namespace) -> (hash: UInt64, entry: Int?) {
        encode(key, namespace)
        return scratch.bytes.withUnsafeBytes { bytes in
            let hash = EncodedEntryTable<Stored>.hash(bytes)
            return (hash, table.find(bytes, hash: hash))
        }
    }

    @inlinable
    func encode(_ key: Key, _ namespace: Namespace) {
        scratch.bytes.removeAll(keepingCapacity: true)
        key.encode(to: &scratch)
        namespace.encode(to: &scratch)
    }

    /// Memory storage: adds the entry whose bytes `lookUp` left in `scratch`.
    @inlinable
    func insertScratch(hash: UInt64, _ stored: Stored) -> Int {
        scratch.bytes.withUnsafeBytes { table.insert($0, hash: hash, value: stored) }
    }

    @inlinable
    public func get(_ key: Key, _ namespace: Namespace) throws -> Value? {
        switch storage {
        case .memory:
            guard let entry = lookUp(key, namespace).entry, let stored = table.values[entry],
                  !hasExpired(stored.expiresAt) else { return nil }
            return stored.value
        case .rocksDB(let db):
            guard let stored = try cachedStored(db, Entry(key: key, namespace: namespace)),
                  !hasExpired(stored.expiresAt) else { return nil }
            return stored.value
        }
    }

    /// The stored entry, from the cache or else from RocksDB (then cached).
    @inlinable
    func cachedStored(_ db: RocksDatabase, _ entry: Entry) throws -> Stored? {
        if let slot = cache.slot(entry) { return slot.value }
        let stored = presence.map { $0.mayContain(Self.presenceHash(entry)) } == false
            ? nil : try readStored(db, entryKey(entry.key, entry.namespace))
        if cache.isFull { try writeBack(db) }
        cache.remember(entry, stored)
        return stored
    }

    /// Makes RocksDB hold the state exactly: writes the cache back, and deletes the
    /// entries the watermark has expired if any are due (not at the end of input, when
    /// every entry with an expiry reads as absent anyway).
    @usableFromInline
    func flush(_ db: RocksDatabase) throws {
        try writeBack(db)
        if watermark != .end && hasExpired(earliestIndexedExpiry) { try sweepExpired(db) }
    }

    /// Writes the cached changes to RocksDB: entries, removals and new TTL index keys.
    /// An entry that has expired is written as a delete (it reads as absent; written,
    /// it would need an index key that the next sweep deletes again).
    @usableFromInline
    func writeBack(_ db: RocksDatabase) throws {
        let operatorID = self.operatorID, name = self.name
        try cache.flush(db) { entry, slot, writes in
            let key = { (w: inout StateWriter) in
                StateKeyLayout.write(operator: operatorID, state: name, key: entry.key, namespace: entry.namespace, to: &w)
            }
            guard let stored = slot.value, !hasExpired(stored.expiresAt) else { return writes.append(key: key, value: nil) }
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

    /// What keeping this state in RocksDB has cost so far (zero in memory).
    public var rocksDBWork: RocksDBStateWork {
        var work = cache.work
        work.sweeps = sweepWork.sweeps
        work.indexKeysVisited = sweepWork.indexKeysVisited
        work.entriesExpired = sweepWork.entriesExpired
        return work
    }

    @inlinable
    public func put(_ key: Key, _ namespace: Namespace, _ value: Value) throws {
        try update(key, namespace) { $0 = value }
    }

    /// Puts an entry that exists until the watermark reaches `expiresAt`.
    @inlinable
    public func put(_ key: Key, _ namespace: Namespace, _ value: Value, expiringAt expiresAt: Int64) throws {
        switch storage {
        case .memory:
            let stored = Stored(value: value, expiresAt: expiresAt)
            let (hash, found) = lookUp(key, namespace)
            let number: Int
            if let found {
                try checkExpiryOrder(live: table.values[found], expiresAt)
                table.values[found] = stored
                number = found
            } else {
                number = insertScratch(hash: hash, stored)
            }
            logChange(number)
            expiries.append((expiresAt, number))
        case .rocksDB(let db):
            let entry = Entry(key: key, namespace: namespace)
            let indexed = expiryOrder != .growing
            if indexed {
                if cache.slot(entry) == nil, cache.isFull { try writeBack(db) }
            } else {
                try checkExpiryOrder(live: try cachedStored(db, entry), expiresAt)
            }
            cache.write(entry, Stored(value: value, expiresAt: expiresAt), newIndex: indexed)
        }
    }

    /// Puts an entry that exists until the watermark reaches `expiresAt`, unless a live
    /// entry is there: then returns its value and changes nothing. A key seen for the
    /// first time (dedup's common case) costs one hash lookup in memory, not two.
    @inlinable
    public func putIfAbsent(_ key: Key, _ namespace: Namespace, _ value: Value, expiringAt expiresAt: Int64) throws -> Value? {
        switch storage {
        case .memory:
            let stored = Stored(value: value, expiresAt: expiresAt)
            let (hash, found) = lookUp(key, namespace)
            let number: Int
            if let found {
                if let old = table.values[found], !hasExpired(old.expiresAt) { return old.value }
                table.values[found] = stored
                number = found
            } else {
                number = insertScratch(hash: hash, stored)
            }
            logChange(number)
            expiries.append((expiresAt, number))
            return nil
        case .rocksDB:
            if let live = try get(key, namespace) { return live }
            try put(key, namespace, value, expiringAt: expiresAt)
            return nil
        }
    }

    @inlinable
    public func remove(_ key: Key, _ namespace: Namespace) throws {
        try update(key, namespace) { $0 = nil }
    }

    /// Reads, changes and writes back one entry in one step (`nil` = absent; setting
    /// `nil` removes it), with a single lookup. A changed entry keeps its expiry.
    @inlinable
    public func update<R>(_ key: Key, _ namespace: Namespace, _ body: (inout Value?) throws -> R) throws -> R {
        switch storage {
        case .memory:
            var found = lookUp(key, namespace).entry
            let stored = found.flatMap { table.values[$0] }
            let live = stored.flatMap { hasExpired($0.expiresAt) ? nil : $0 }
            var value = live?.value
            let renumberings = table.renumberings
            let result = try body(&value)
            // The body may have used this state: find the entry again if it moved.
            if table.renumberings != renumberings { found = lookUp(key, namespace).entry }
            if let f = found, table.values[f] == nil { found = nil }
            if let value {
                let changed = Stored(value: value, expiresAt: live?.expiresAt ?? .max)
                if found == nil {
                    let (hash, again) = lookUp(key, namespace)
                    found = again ?? insertScratch(hash: hash, changed)
                }
                table.values[found!] = changed
                logChange(found!)
            } else if let found {
                table.remove(found)
                logChange(found)
                compactIfWorthIt()
            }
            return result
        case .rocksDB(let db):
            let entry = Entry(key: key, namespace: namespace)
            let stored = try cachedStored(db, entry)
            let live = stored.flatMap { hasExpired($0.expiresAt) ? nil : $0 }
            var value = live?.value
            let result = try body(&value)
            if let value {
                cache.write(entry, Stored(value: value, expiresAt: live?.expiresAt ?? .max), keepIndex: live != nil)
            } else if stored != nil {
                cache.write(entry, nil)
            }
            return result
        }
    }

    /// Notes a changed entry for the next snapshot. Expiry deletions are not noted: a
    /// restored entry whose expiry the restored watermark has reached reads as absent
    /// and is deleted as the watermark passes, like any.
    @inlinable
    func logChange(_ entry: Int) {
        guard changeLog != nil else { return }
        changeLog!.append(entry)
        if changeLog!.count > max(64, table.count / 2) { changeLog = nil }
    }

    /// Memory storage: once removed entries outweigh live ones, drops them; entry numbers
    /// held are renumbered, and the change log stops (it may name removed entries).
    @inlinable
    func compactIfWorthIt() {
        guard table.wantsCompaction else { return }
        let renumbered = table.compacted()
        changeLog = nil
        var kept: [(expiresAt: Int64, entry: Int)] = []
        kept.reserveCapacity(expiries.count - expiryHead)
        for (expiresAt, entry) in expiries[expiryHead...] where renumbered[entry] >= 0 {
            kept.append((expiresAt, renumbered[entry]))
        }
        expiries = kept
        expiryHead = 0
    }

    /// Moves the state's watermark and deletes the entries that expired.
    @inlinable
    public func advance(to watermark: Watermark) throws {
        guard watermark > self.watermark else { return }
        _watermark = watermark
        // At the end of input every entry with an expiry reads as absent already;
        // deleting them one by one would only delay the end of the run.
        if watermark == .end { return }
        if case .rocksDB(let db) = storage {
            compactionExpiry?.publish(watermark)
            presence?.retire(at: watermark)
            if hasExpired(earliestIndexedExpiry) {
                dueAdvances += 1
                if dueAdvances >= Self.sweepInterval { try sweepExpired(db) }
            }
            return
        }
        guard expiryHead < expiries.count, hasExpired(expiries[expiryHead].expiresAt) else { return }
        while expiryHead < expiries.count, hasExpired(expiries[expiryHead].expiresAt) {
            let (expiresAt, entry) = expiries[expiryHead]
            expiryHead += 1
            if let stored = table.values[entry], stored.expiresAt == expiresAt { table.remove(entry) }
        }
        compactIfWorthIt()
        if expiryHead > 4096 && expiryHead * 2 > expiries.count {
            expiries.removeFirst(expiryHead)
            expiryHead = 0
        }
    }

    /// RocksDB storage: how many watermark advances with entries due may pass before
    /// they are deleted. Deleting is only about space (an expired entry reads as absent
    /// at once), and a sweep has a fixed cost (an iterator over every sorted run), so
    /// with expiries due at most advances, sweeping at each would cost more than the
    /// deletes themselves. Flushes (checkpoints, scans) sweep whatever is due.
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
    func sweepExpired(_ db: RocksDatabase) throws {
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
            guard hasExpired(expiresAt) else {
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
        sweptThrough = watermark.time
        dueAdvances = 0
        sweepWork.sweeps += 1
        sweepWork.indexKeysVisited += visited
        sweepWork.entriesExpired += expired
    }

    /// Number of entries held, expired ones not yet deleted included.
    public var count: Int {
        switch storage {
        case .memory: return table.count
        case .rocksDB(let db):
            try? flush(db)
            return (try? db.countEntries(operator: operatorID, state: name)) ?? 0
        }
    }

    /// Every live entry whose key falls in `groups` (of those this state holds).
    public func forEach(in groups: KeyGroupRange, _ body: (Key, Namespace, Value) throws -> Void) throws {
        switch storage {
        case .memory:
            for entry in 0 ..< table.numbered {
                guard let stored = table.values[entry], !hasExpired(stored.expiresAt) else { continue }
                var reader = StateReader(table.keyBytes(of: entry) { Array($0) })
                let key = try Key.decode(from: &reader)
                guard groups.contains(KeyGroup(of: key)) else { continue }
                try body(key, try Namespace.decode(from: &reader), stored.value)
            }
        case .rocksDB(let db):
            try flush(db)
            for g in groups.lowerBound ... groups.upperBound {
                let prefix = StateKeyLayout.prefix(group: KeyGroup(index: g), operator: operatorID, state: name)
                try db.scan(prefix: prefix) { key, bytes in
                    let parts = try StateKeyLayout.decode(key, key: Key.self, namespace: Namespace.self)
                    var reader = StateReader(bytes)
                    let expiresAt = try reader.readInt64()
                    if !hasExpired(expiresAt) { try body(parts.key, parts.namespace, try Value.decode(from: &reader)) }
                    return true
                }
            }
        }
    }
}

/// What an operator holds of its states to move their watermark.
public protocol WatermarkedState: AnyObject {
    func advance(to watermark: Watermark) throws
}

extension ValueState: WatermarkedState {}

extension ValueState: WriteBackState {
    func flush() throws {
        if case .rocksDB(let db) = storage { try flush(db) }
    }
}
