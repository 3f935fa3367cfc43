/// The keys a RocksDB value state may hold, as Bloom filters in the process: a lookup
/// of a key the filter has never seen skips RocksDB (dedup's common case, a new
/// transaction, was a RocksDB lookup that missed: about a fifth of a RocksDB run).
///
/// What holds: every key the state has written to RocksDB, and every key it found there
/// when it was made, answers `mayContain` with `true` until the state's watermark has
/// passed every expiry it was written with. The filter is never in a checkpoint: a
/// restored state fills it again from the database.
///
/// Keys go into the newest of a list of generations, each a split-block Bloom filter
/// (one 256-bit block per key, one bit in each of its eight 32-bit words; ~10 bits a key,
/// about 1% false positives when full). A full generation is followed by one twice its
/// size, so memory follows the number of keys. A generation is dropped once the
/// watermark reaches the latest expiry of the keys put into it: a key it holds that is
/// still live was written again since, with a later expiry, into a newer generation.
///
/// - Complexity: `mayContain` reads one block per generation (a handful: sizes double).
@usableFromInline
struct KeyPresenceFilter {
    @usableFromInline
    struct Generation {
        @usableFromInline var words: [UInt32]
        @usableFromInline let blockCount: UInt64
        @usableFromInline let capacity: Int
        @usableFromInline var count = 0
        /// The latest expiry put into it (`Int64.max`: a key without one).
        @usableFromInline var latestExpiry = Int64.min

        @usableFromInline
        init(capacity: Int) {
            self.capacity = capacity
            let blocks = max(1, capacity * 10 / 256)
            blockCount = UInt64(blocks)
            words = Array(repeating: 0, count: blocks * 8)
        }

        @usableFromInline static let salts: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
            0x47b6137b, 0x44974d91, 0x8824ad5b, 0xa2b7289d, 0x705495c7, 0x2df1424b, 0x9efc4947, 0x5c6bfb31)

        @inlinable
        func block(_ hash: UInt64) -> Int {
            Int(truncatingIfNeeded: ((hash >> 32) &* blockCount) >> 32) &* 8
        }

        @inlinable
        static func bit(_ hash: UInt64, _ salt: UInt32) -> UInt32 {
            1 &<< ((UInt32(truncatingIfNeeded: hash) &* salt) &>> 27)
        }

        @inlinable
        mutating func insert(_ hash: UInt64) {
            let b = block(hash)
            let s = Self.salts
            let bit = Self.bit
            words.withUnsafeMutableBufferPointer { w in
                w[b] |= bit(hash, s.0); w[b + 1] |= bit(hash, s.1); w[b + 2] |= bit(hash, s.2); w[b + 3] |= bit(hash, s.3)
                w[b + 4] |= bit(hash, s.4); w[b + 5] |= bit(hash, s.5); w[b + 6] |= bit(hash, s.6); w[b + 7] |= bit(hash, s.7)
            }
            count += 1
        }

        @inlinable
        func mayContain(_ hash: UInt64) -> Bool {
            let b = block(hash)
            let s = Self.salts
            let bit = Self.bit
            return words.withUnsafeBufferPointer { w in
                let hit = (w[b] & bit(hash, s.0)) != 0 && (w[b + 1] & bit(hash, s.1)) != 0
                    && (w[b + 2] & bit(hash, s.2)) != 0 && (w[b + 3] & bit(hash, s.3)) != 0
                return hit && (w[b + 4] & bit(hash, s.4)) != 0 && (w[b + 5] & bit(hash, s.5)) != 0
                    && (w[b + 6] & bit(hash, s.6)) != 0 && (w[b + 7] & bit(hash, s.7)) != 0
            }
        }
    }

    /// Oldest first; the last takes new keys.
    @usableFromInline var generations: [Generation]

    /// Keys the first generation takes (a generation of 65,536 keys is 80 KiB).
    @usableFromInline static let firstCapacity = 1 << 16
    /// Generations stop doubling here (8M keys: 10 MiB).
    @usableFromInline static let largestCapacity = 1 << 23

    @usableFromInline
    init() {
        generations = [Generation(capacity: Self.firstCapacity)]
    }

    @inlinable
    mutating func insert(_ hash: UInt64, expiresAt: Int64) {
        if generations[generations.count - 1].count >= generations[generations.count - 1].capacity {
            let next = min(generations[generations.count - 1].capacity * 2, Self.largestCapacity)
            generations.append(Generation(capacity: next))
        }
        let last = generations.count - 1
        generations[last].insert(hash)
        generations[last].latestExpiry = max(generations[last].latestExpiry, expiresAt)
    }

    @inlinable
    func mayContain(_ hash: UInt64) -> Bool {
        for g in generations.indices.reversed() where generations[g].mayContain(hash) { return true }
        return false
    }

    /// Drops the generations (but the newest) all of whose keys have expired at `watermark`.
    @usableFromInline
    mutating func retire(at watermark: Watermark) {
        guard generations.count > 1 else { return }
        let newest = generations.removeLast()
        generations.removeAll { $0.latestExpiry != .max && watermark.hasReached($0.latestExpiry) }
        generations.append(newest)
    }

    /// Bytes held by the filters.
    var byteCount: Int { generations.reduce(0) { $0 + $1.words.count * 4 } }
}
