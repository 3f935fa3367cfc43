#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The entries of a memory value state: each key held as its state-codec bytes (key,
/// then namespace), back to back in one arena, each value in a dense array, and an
/// open-addressing index from the bytes' hash to the entry.
///
/// Why not `[StateEntry: Stored]`: dedup holds a key per accepted transaction, two
/// strings each, and a tx id is longer than Swift's 15-byte inline strings. As Swift
/// values every entry was a reference-counted string object, a 64-byte bucket of a
/// dictionary that doubles (rehashing everything), and a second copy in the expiry list:
/// ~220 bytes, retains and releases, and cache misses per key. Here an entry is its key
/// bytes (~30 for dedup), its value, 8 bytes of position and on average ~16 bytes of
/// index, with no reference counting; the expiry list holds entry numbers. The bytes are
/// also what a snapshot holds, so writing one copies them without encoding.
///
/// What holds:
/// - An entry's number is its position in insertion order; it stays until `compacted()`
///   renumbers the entries (the owner then remaps what it holds of numbers).
/// - A removed entry keeps its number and key bytes (its value is `nil`) until then, so
///   that a change log can still name it.
/// - No two live entries have the same bytes. The index holds every live entry once
///   (removed ones are tombstones), at most 3/4 full with tombstones counted.
@usableFromInline
struct EncodedEntryTable<Value> {
    /// Key bytes of entry `e`: `arena[starts[e] ..< starts[e + 1]]`.
    @usableFromInline var arena: [UInt8] = []
    @usableFromInline var starts: [Int] = [0]
    /// Value of each entry, `nil` once removed.
    @usableFromInline var values: [Value?] = []
    /// Linear probing. A slot is empty (0), a tombstone, or the entry's number + 1 in the
    /// low 32 bits under the top 32 bits of its hash (compared before any key bytes).
    @usableFromInline var slots: [UInt64] = []
    /// Slots not empty: live entries and tombstones.
    @usableFromInline var occupied = 0
    /// Live entries.
    @usableFromInline var count = 0
    /// How many times `compacted()` renumbered the entries.
    @usableFromInline var renumberings = 0

    @usableFromInline static var tombstone: UInt64 { .max }

    @inlinable init() {}

    /// Entries ever numbered since the last compaction, removed ones included.
    @inlinable var numbered: Int { values.count }

    /// The bytes' hash: 8 bytes at a time, then the finalizer of MurmurHash3 (the index
    /// uses both the low bits, for the slot, and the high ones, as a tag).
    @inlinable
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: bytes.count)
        var i = 0
        while i + 8 <= bytes.count {
            h = (h ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < bytes.count {
            tail |= UInt64(bytes[i]) << shift
            shift += 8
            i += 1
        }
        h ^= tail
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }

    @inlinable
    func keyBytes<R>(of entry: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let start = starts[entry], end = starts[entry + 1]
        return try arena.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start ..< end])) }
    }

    /// The number of the live entry whose key bytes are `key`.
    @inlinable
    func find(_ key: UnsafeRawBufferPointer, hash: UInt64) -> Int? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        let tag = hash >> 32
        var i = Int(truncatingIfNeeded: hash) & mask
        return slots.withUnsafeBufferPointer { slots in
            arena.withUnsafeBytes { arena in
                starts.withUnsafeBufferPointer { starts in
                    while true {
                        let slot = slots[i]
                        if slot == 0 { return nil }
                        if slot >> 32 == tag && slot != Self.tombstone {
                            let entry = Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1
                            let start = starts[entry], n = starts[entry + 1] - start
                            if n == key.count && (n == 0 || memcmp(arena.baseAddress! + start, key.baseAddress!, n) == 0) {
                                return entry
                            }
                        }
                        i = (i + 1) & mask
                    }
                }
            }
        }
    }

    /// Adds an entry whose bytes no live entry has; returns its number.
    @inlinable
    mutating func insert(_ key: UnsafeRawBufferPointer, hash: UInt64, value: Value) -> Int {
        if (occupied + 1) * 4 > slots.count * 3 { reindex() }
        let entry = values.count
        precondition(entry < Int(UInt32.max) - 1, "a memory value state holds at most 4 billion entries")
        arena.append(contentsOf: key)
        starts.append(arena.count)
        values.append(value)
        place(entry, hash: hash)
        count += 1
        return entry
    }

    /// Puts `entry` in the first free slot of its probe sequence (a tombstone is free:
    /// the caller knows its bytes are not in the index).
    @inlinable
    mutating func place(_ entry: Int, hash: UInt64) {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: hash) & mask
        while slots[i] != 0 && slots[i] != Self.tombstone { i = (i + 1) & mask }
        if slots[i] == 0 { occupied += 1 }
        slots[i] = (hash >> 32) << 32 | UInt64(entry + 1)
    }

    /// Removes a live entry: its value goes, its number and bytes stay until compaction.
    @inlinable
    mutating func remove(_ entry: Int) {
        let hash = keyBytes(of: entry) { Self.hash($0) }
        let mask = slots.count - 1
        let wanted = (hash >> 32) << 32 | UInt64(entry + 1)
        var i = Int(truncatingIfNeeded: hash) & mask
        while slots[i] != wanted { i = (i + 1) & mask }
        slots[i] = Self.tombstone
        values[entry] = nil
        count -= 1
    }

    /// Rebuilds the index, without tombstones, at twice the live entries' need or more.
    @usableFromInline
    mutating func reindex() {
        var capacity = 16
        while capacity * 3 < (count + 1) * 4 * 2 { capacity *= 2 }
        slots = Array(repeating: 0, count: capacity)
        occupied = 0
        for entry in 0 ..< values.count where values[entry] != nil {
            place(entry, hash: keyBytes(of: entry) { Self.hash($0) })
        }
    }

    /// Whether removed entries outweigh live ones enough to be worth `compacted()`.
    @inlinable var wantsCompaction: Bool {
        let removed = values.count - count
        return removed > 4096 && removed > count
    }

    /// Drops the removed entries and renumbers the live ones in order; returns each old
    /// number's new one (-1 for a removed entry).
    @usableFromInline
    mutating func compacted() -> [Int] {
        var renumbered = Array(repeating: -1, count: values.count)
        var newArena: [UInt8] = []
        newArena.reserveCapacity(arena.count * count / max(1, values.count) + 64)
        var newStarts: [Int] = [0]
        newStarts.reserveCapacity(count + 1)
        var newValues: [Value?] = []
        newValues.reserveCapacity(count)
        for entry in 0 ..< values.count {
            guard let value = values[entry] else { continue }
            renumbered[entry] = newValues.count
            newArena.append(contentsOf: arena[starts[entry] ..< starts[entry + 1]])
            newStarts.append(newArena.count)
            newValues.append(value)
        }
        arena = newArena
        starts = newStarts
        values = newValues
        renumberings += 1
        reindex()
        return renumbered
    }
}
