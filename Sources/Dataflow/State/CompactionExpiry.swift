#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CRocksDB
import Synchronization

/// Deletes expired entries of RocksDB value states in RocksDB's own compactions, for
/// states whose expiries only grow (`ExpiryOrder.growing`): such a state keeps no
/// expiry index, so a new entry costs one RocksDB write instead of two.
///
/// Each compaction gets a filter made when it starts (`rocksdb_compactionfilterfactory`),
/// holding every registered state's watermark at that moment; the filter drops an entry
/// of such a state whose expiry that watermark has reached. What holds:
/// - A dropped entry read as absent already: reads judge expiry against the state's
///   watermark, which only grows, and a compaction's watermark is never ahead of it.
/// - Nothing older comes back: RocksDB may keep an older version of a key below the
///   one a compaction drops, but in a growing state an older version expires no later
///   than a newer one (a put never gives a live key an earlier expiry; `ValueState`
///   refuses it), so it reads as absent too.
/// - A checkpoint is files RocksDB never changes; what compactions drop after it is not
///   in it, and what they dropped before it had expired by its watermark.
///
/// States with other expiries (an open reservation, put with no expiry and later with
/// one, could come back if its newer version were dropped) keep the exact expiry index.
public final class CompactionExpiry: Sendable {
    /// One growing state (or one partition of it): the bytes its entry keys carry after
    /// the key group, its key groups, and the watermark it last published.
    @usableFromInline
    final class Registration: Sendable {
        let prefix: [UInt8]
        let groups: KeyGroupRange
        let watermark = Atomic<Int64>(Watermark.initial.time)

        init(prefix: [UInt8], groups: KeyGroupRange) {
            self.prefix = prefix
            self.groups = groups
        }

        @usableFromInline
        func publish(_ w: Watermark) { watermark.store(w.time, ordering: .relaxed) }
    }

    private let registrations = Mutex<[Registration]>([])

    init() {}

    /// Registers the growing state `name` of `operator` in `groups`; the state publishes
    /// its watermark there as it moves.
    func register(operator: OperatorID, state name: String, groups: KeyGroupRange) -> Registration {
        var writer = StateWriter(capacity: 32)
        writer.write(`operator`.name)
        writer.write(name)
        let registration = Registration(prefix: writer.bytes, groups: groups)
        registrations.withLock { $0.append(registration) }
        return registration
    }

    /// The registered states' watermarks as of now, for one compaction.
    fileprivate func snapshot() -> CompactionExpiryFilter {
        CompactionExpiryFilter(states: registrations.withLock { list in
            list.map { ($0.prefix, $0.groups, $0.watermark.load(ordering: .relaxed)) }
        })
    }

    /// A filter factory for `rocksdb_options_set_compaction_filter_factory`, which takes
    /// ownership of it (and of a reference to this object, released with the factory).
    func makeFactory() -> OpaquePointer {
        rocksdb_compactionfilterfactory_create(
            Unmanaged.passRetained(self).toOpaque(),
            { Unmanaged<CompactionExpiry>.fromOpaque($0!).release() },
            { state, _ in
                let expiry = Unmanaged<CompactionExpiry>.fromOpaque(state!).takeUnretainedValue()
                return rocksdb_compactionfilter_create(
                    Unmanaged.passRetained(expiry.snapshot()).toOpaque(),
                    { Unmanaged<CompactionExpiryFilter>.fromOpaque($0!).release() },
                    { state, _, key, keyLength, value, valueLength, _, _, _ in
                        let filter = Unmanaged<CompactionExpiryFilter>.fromOpaque(state!).takeUnretainedValue()
                        return filter.drops(key: UnsafeRawBufferPointer(start: key, count: keyLength),
                                            value: UnsafeRawBufferPointer(start: value, count: valueLength)) ? 1 : 0
                    },
                    { _ in compactionExpiryName })
            },
            { _ in compactionExpiryName })
    }
}

private let compactionExpiryName = UnsafeRawPointer(StaticString("tillflow.compaction-expiry").utf8Start)
    .assumingMemoryBound(to: CChar.self)

/// The filter of one compaction: the growing states' watermarks when it started.
final class CompactionExpiryFilter: Sendable {
    let states: [(prefix: [UInt8], groups: KeyGroupRange, watermark: Int64)]

    init(states: [(prefix: [UInt8], groups: KeyGroupRange, watermark: Int64)]) {
        self.states = states
    }

    /// Whether `key` is an entry of a growing state (`StateKeyLayout`: key group, then
    /// operator and state name) whose expiry (the first 8 bytes of its value) the state's
    /// watermark had reached. Index keys and other states' entries are kept.
    func drops(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> Bool {
        guard key.count > 2, key[0] != StateKeyLayout.indexMarker, value.count >= 8 else { return false }
        let group = KeyGroup(index: UInt16(key[0]) << 8 | UInt16(key[1]))
        for state in states where key.count - 2 > state.prefix.count && state.groups.contains(group) {
            let matches = state.prefix.withUnsafeBytes { prefix in
                memcmp(prefix.baseAddress!, key.baseAddress! + 2, prefix.count) == 0
            }
            guard matches else { continue }
            var encoded: UInt64 = 0
            for i in 0 ..< 8 { encoded = encoded << 8 | UInt64(value[i]) }
            let expiresAt = Int64(bitPattern: encoded ^ (1 << 63))
            return expiresAt != .max && Watermark(state.watermark).hasReached(expiresAt)
        }
        return false
    }
}
