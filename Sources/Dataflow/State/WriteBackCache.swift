#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The entries of one RocksDB-backed state that the job touched lately, in the process:
/// reads of them do not go to RocksDB, and writes to them reach RocksDB together, in one
/// write batch, when the cache is flushed (at every checkpoint, before any scan of the
/// state, and when it holds `capacity` entries, after which it starts empty).
///
/// A state's hot keys (the open windows' slots, a location's stock levels) are read
/// and written many times between checkpoints; RocksDB sees each once per flush. Nothing
/// is lost by caching: checkpoints flush first, and a crash loses only what the
/// checkpoint being recovered does not hold anyway.
///
/// What holds:
/// - the cache knows its dirty entries (`dirtyEntries`, each once): a flush visits and
///   writes those and no other, and marks them clean in place, so it costs what was
///   changed since the last flush, however many clean entries are cached;
/// - no operation copies the slots: they are changed only through the dictionary's
///   in-place accessors, never while iterating it (a loop over a dictionary that it
///   changes copies all of it, with a retain per field of every value: that made each
///   flush cost the whole cache, issue 15).
///
/// - Complexity: a read or a write is one or two hash lookups; `flush` is O(d log d) for
///   d dirty entries (they are sorted by key for RocksDB), plus the batch write.
@usableFromInline
struct WriteBackCache<Entry: Hashable, Value> {
    @usableFromInline
    struct Slot {
        /// `nil`: the entry is known to be absent (or removed, if `dirty`).
        @usableFromInline var value: Value?
        /// Changed since RocksDB last saw it.
        @usableFromInline var dirty: Bool
        /// Put with an expiry its TTL index does not have yet.
        @usableFromInline var indexPending: Bool

        @usableFromInline init(value: Value?, dirty: Bool, indexPending: Bool) {
            self.value = value
            self.dirty = dirty
            self.indexPending = indexPending
        }
    }

    /// Entries held before a flush empties the cache.
    @usableFromInline static var capacity: Int { 1 << 16 }

    /// Changed only by the methods below.
    @usableFromInline var slots: [Entry: Slot] = [:]
    /// The entries whose slot is dirty, each once, in the order they became dirty.
    @usableFromInline var dirtyEntries: [Entry] = []
    /// What flushes have cost so far (tests read it: work per flush is what changed).
    @usableFromInline var work = RocksDBStateWork()

    @usableFromInline init() {}

    @inlinable var isFull: Bool { slots.count >= Self.capacity }
    @inlinable var count: Int { slots.count }
    @inlinable var dirtyCount: Int { dirtyEntries.count }

    /// The cached slot of `entry`, if any.
    @inlinable func slot(_ entry: Entry) -> Slot? { slots[entry] }

    /// Caches what RocksDB holds for `entry` (`nil`: absent), as clean.
    @inlinable mutating func remember(_ entry: Entry, _ value: Value?) {
        slots[entry] = Slot(value: value, dirty: false, indexPending: false)
    }

    /// Records a change of `entry` to `value` (`nil`: removed). Its index key is pending
    /// when `newIndex`, or when `keepIndex` and it was pending already.
    @inlinable mutating func write(_ entry: Entry, _ value: Value?, newIndex: Bool = false, keepIndex: Bool = false) {
        if let i = slots.index(forKey: entry) {
            let old = slots.values[i]
            slots.values[i] = Slot(value: value, dirty: true, indexPending: newIndex || (keepIndex && old.indexPending))
            if !old.dirty { dirtyEntries.append(entry) }
        } else {
            slots[entry] = Slot(value: value, dirty: true, indexPending: newIndex)
            dirtyEntries.append(entry)
        }
    }

    /// Writes the dirty entries in one batch, sorted by key (RocksDB's memtable inserts a
    /// run of ascending keys much faster than the same keys at random), and marks them
    /// clean; a full cache is emptied. `changes` says what an entry writes, into
    /// `SortedWrites`: keys with their value, or deletes.
    @inlinable
    mutating func flush(_ database: RocksDatabase, _ changes: (Entry, Slot, inout SortedWrites) throws -> Void) throws {
        work.flushes += 1
        work.slotsVisited += dirtyEntries.count
        if !dirtyEntries.isEmpty {
            var writes = SortedWrites(expected: dirtyEntries.count)
            for entry in dirtyEntries { try changes(entry, slots[entry]!, &writes) }
            work.entriesWritten += writes.count
            if !writes.isEmpty { try writes.write(to: database) }
        }
        if isFull {
            slots.removeAll(keepingCapacity: true)
        } else {
            for entry in dirtyEntries {
                let i = slots.index(forKey: entry)!
                slots.values[i].dirty = false
                slots.values[i].indexPending = false
            }
        }
        dirtyEntries.removeAll(keepingCapacity: true)
    }
}

/// Puts and deletes gathered for one RocksDB write batch, applied in key order.
///
/// Keys and values lie back to back in one buffer and each write is four integers, so
/// a flush of 65,536 entries costs a handful of allocations, and sorting moves small
/// plain records compared with `memcmp`, with no reference counting. (The first version
/// kept two arrays per write: their allocation, sorting and freeing were a fifth of a
/// RocksDB turnover run.)
@usableFromInline
struct SortedWrites {
    @usableFromInline
    struct Write {
        @usableFromInline var keyStart: Int
        @usableFromInline var keyLength: Int
        @usableFromInline var valueStart: Int
        /// -1: a delete.
        @usableFromInline var valueLength: Int

        @usableFromInline init(keyStart: Int, keyLength: Int, valueStart: Int, valueLength: Int) {
            self.keyStart = keyStart
            self.keyLength = keyLength
            self.valueStart = valueStart
            self.valueLength = valueLength
        }
    }

    @usableFromInline var buffer: StateWriter
    @usableFromInline var writes: [Write] = []

    @inlinable init(expected: Int) {
        buffer = StateWriter(capacity: min(expected, 1 << 16) * 64)
        writes.reserveCapacity(min(expected, 1 << 16))
    }

    @inlinable var isEmpty: Bool { writes.isEmpty }
    @inlinable var count: Int { writes.count }

    /// A put of the key `key` writes and the value `value` writes; a delete without `value`.
    @inlinable
    mutating func append(key: (inout StateWriter) -> Void, value: ((inout StateWriter) -> Void)?) {
        let keyStart = buffer.bytes.count
        key(&buffer)
        let valueStart = buffer.bytes.count
        var valueLength = -1
        if let value {
            value(&buffer)
            valueLength = buffer.bytes.count - valueStart
        }
        writes.append(Write(keyStart: keyStart, keyLength: valueStart - keyStart, valueStart: valueStart,
                            valueLength: valueLength))
    }

    /// Sorts the writes by key (bytewise, RocksDB's order) and applies them in one batch.
    @inlinable
    mutating func write(to database: RocksDatabase) throws {
        try buffer.bytes.withUnsafeBytes { bytes in
            let base = bytes.baseAddress!
            writes.sort { a, b in
                let c = memcmp(base + a.keyStart, base + b.keyStart, min(a.keyLength, b.keyLength))
                return c != 0 ? c < 0 : a.keyLength < b.keyLength
            }
            try database.write { batch in
                for w in writes {
                    let key = UnsafeRawBufferPointer(start: base + w.keyStart, count: w.keyLength)
                    if w.valueLength >= 0 {
                        batch.put(key, UnsafeRawBufferPointer(start: base + w.valueStart, count: w.valueLength))
                    } else {
                        batch.delete(key)
                    }
                }
            }
        }
    }
}

/// A state whose RocksDB writes may wait in a `WriteBackCache`.
protocol WriteBackState: AnyObject {
    /// Writes what waits to RocksDB: before a checkpoint, the database must hold it all.
    func flush() throws
}
