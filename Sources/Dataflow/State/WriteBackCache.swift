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

    @usableFromInline var slots: [Entry: Slot] = [:]

    @usableFromInline init() {}

    @inlinable var isFull: Bool { slots.count >= Self.capacity }

    /// Writes the dirty entries in one batch, sorted by key (RocksDB's memtable inserts a
    /// run of ascending keys much faster than the same keys at random), and marks them
    /// clean; a full cache is emptied. `changes` says what an entry writes: keys with
    /// their value, or `nil` for a delete.
    @inlinable
    mutating func flush(_ database: RocksDatabase,
                        _ changes: (Entry, Slot, inout [(key: [UInt8], value: [UInt8]?)]) throws -> Void) throws {
        var writes: [(key: [UInt8], value: [UInt8]?)] = []
        for (entry, slot) in slots where slot.dirty { try changes(entry, slot, &writes) }
        let any = !writes.isEmpty
        if any {
            writes.sort { byteOrder($0.key, $1.key) }
            try database.write { batch in
                for w in writes {
                    if let value = w.value { batch.put(w.key, value) } else { batch.delete(w.key) }
                }
            }
        }
        if isFull {
            slots.removeAll(keepingCapacity: true)
        } else if any {
            for (entry, slot) in slots where slot.dirty {
                slots[entry] = Slot(value: slot.value, dirty: false, indexPending: false)
            }
        }
    }
}

/// RocksDB's key order (bytewise), with `memcmp`.
@inlinable
func byteOrder(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    let n = min(a.count, b.count)
    let c = a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in memcmp(pa.baseAddress!, pb.baseAddress!, n) } }
    return c != 0 ? c < 0 : a.count < b.count
}

/// A state whose RocksDB writes may wait in a `WriteBackCache`.
protocol WriteBackState: AnyObject {
    /// Writes what waits to RocksDB: before a checkpoint, the database must hold it all.
    func flush() throws
}
