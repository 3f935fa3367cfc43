import CRocksDB

/// A RocksDB database through its C API: the byte store under the RocksDB state backend.
///
/// Memory stays bounded when the state outgrows it: a shared LRU block cache and a
/// fixed number of write buffers share `memoryBudget`; bloom filters and block indexes
/// add about 1.5 bytes per key on top. The write-ahead log is off:
/// durability comes from checkpoints, and a run restarted without one starts afresh.
public final class RocksDatabase: @unchecked Sendable {
    let db: OpaquePointer
    let options: OpaquePointer
    let tableOptions: OpaquePointer
    let cache: OpaquePointer
    let filter: OpaquePointer
    let readOptions: OpaquePointer
    let writeOptions: OpaquePointer
    public let path: String
    /// Growing states' expiries, carried out by compactions (`ExpiryOrder.growing`).
    let compactionExpiry = CompactionExpiry()

    /// Opens (creating if missing) the database at `path`; `readOnly` opens an existing
    /// one (a checkpoint being inspected) without changing a byte of it.
    public init(path: String, memoryBudget: Int64 = 256 << 20, readOnly: Bool = false) throws {
        self.path = path
        let budget = max(memoryBudget, 16 << 20)
        options = rocksdb_options_create()
        rocksdb_options_set_compression(options, Int32(rocksdb_lz4_compression))
        // Small memtables: a new key's insert walks a shorter skip list, and since the
        // presence filter answers most lookups of absent keys, the extra sorted runs
        // cost little (1M JSONL turnover: 8 MiB against 32 MiB, p1 ~5% and p2 ~10% faster).
        rocksdb_options_set_write_buffer_size(options, Int(max(budget / 32, 2 << 20)))
        rocksdb_options_set_max_write_buffer_number(options, 2)
        rocksdb_options_increase_parallelism(options, 2)
        cache = rocksdb_cache_create_lru(Int(budget / 2))
        // Most state reads look for keys that are not there (a new transaction's dedup
        // key): whole-key bloom filters answer those without reading data blocks, in
        // the memtable too. Filters and indexes stay in the table readers, outside the
        // block cache (about 1.5 bytes per key): in a cache smaller than the state they
        // would be evicted by data blocks and read back from disk on every lookup,
        // which measured 3.5k records/s with 10M dedup keys in a 32 MiB cache.
        filter = rocksdb_filterpolicy_create_bloom_full(10)
        tableOptions = rocksdb_block_based_options_create()
        rocksdb_block_based_options_set_block_cache(tableOptions, cache)
        rocksdb_block_based_options_set_filter_policy(tableOptions, filter)
        rocksdb_block_based_options_set_cache_index_and_filter_blocks(tableOptions, 0)
        rocksdb_options_set_memtable_prefix_bloom_size_ratio(options, 0.1)
        rocksdb_options_set_memtable_whole_key_filtering(options, 1)
        // Universal compaction: each key is rewritten fewer times than by levels, and
        // dedup keys, written once and never updated, gain nothing from the levels'
        // tighter space (10M JSONL turnover, p1: 104 -> 80 CPU s, peak RSS 376 -> 335 MiB,
        // state on disk 542 -> 302 MB).
        rocksdb_options_set_compaction_style(options, Int32(rocksdb_universal_compaction))
        rocksdb_options_set_block_based_table_factory(options, tableOptions)
        rocksdb_options_set_compaction_filter_factory(options, compactionExpiry.makeFactory())
        readOptions = rocksdb_readoptions_create()
        writeOptions = rocksdb_writeoptions_create()
        rocksdb_writeoptions_disable_WAL(writeOptions, 1)
        var error: UnsafeMutablePointer<CChar>? = nil
        rocksdb_options_set_create_if_missing(options, readOnly ? 0 : 1)
        let opened = readOnly ? rocksdb_open_for_read_only(options, path, 0, &error) : rocksdb_open(options, path, &error)
        guard let opened else {
            let message = Self.take(error) ?? "unknown error"
            rocksdb_readoptions_destroy(readOptions)
            rocksdb_writeoptions_destroy(writeOptions)
            rocksdb_block_based_options_destroy(tableOptions)
            rocksdb_cache_destroy(cache)
            rocksdb_options_destroy(options)
            throw StateBackendError("cannot open RocksDB at \(path): \(message)")
        }
        db = opened
    }

    deinit {
        rocksdb_close(db)
        rocksdb_readoptions_destroy(readOptions)
        rocksdb_writeoptions_destroy(writeOptions)
        rocksdb_block_based_options_destroy(tableOptions)
        rocksdb_cache_destroy(cache)
        rocksdb_options_destroy(options)
    }

    static func take(_ error: UnsafeMutablePointer<CChar>?) -> String? {
        guard let error else { return nil }
        defer { rocksdb_free(error) }
        return String(cString: error)
    }

    func check(_ error: UnsafeMutablePointer<CChar>?, _ what: String) throws {
        if let message = Self.take(error) { throw StateBackendError("RocksDB \(what) failed in \(path): \(message)") }
    }

    public func get(_ key: [UInt8]) throws -> [UInt8]? {
        var error: UnsafeMutablePointer<CChar>? = nil
        var length = 0
        let value = key.withUnsafeBufferPointer { k in
            k.withMemoryRebound(to: CChar.self) { rocksdb_get(db, readOptions, $0.baseAddress, k.count, &length, &error) }
        }
        try check(error, "get")
        guard let value else { return nil }
        defer { rocksdb_free(value) }
        return Array(UnsafeRawBufferPointer(start: value, count: length))
    }

    public func put(_ key: [UInt8], _ value: [UInt8]) throws {
        var error: UnsafeMutablePointer<CChar>? = nil
        key.withUnsafeBufferPointer { k in
            value.withUnsafeBufferPointer { v in
                k.withMemoryRebound(to: CChar.self) { kc in
                    v.withMemoryRebound(to: CChar.self) { vc in
                        rocksdb_put(db, writeOptions, kc.baseAddress, k.count, vc.baseAddress, v.count, &error)
                    }
                }
            }
        }
        try check(error, "put")
    }

    public func delete(_ key: [UInt8]) throws {
        var error: UnsafeMutablePointer<CChar>? = nil
        key.withUnsafeBufferPointer { k in
            k.withMemoryRebound(to: CChar.self) { rocksdb_delete(db, writeOptions, $0.baseAddress, k.count, &error) }
        }
        try check(error, "delete")
    }

    /// Applies `body`'s puts and deletes in one atomic write (one pass through RocksDB's
    /// write path): an entry and its TTL index key, a watermark's expired entries.
    /// Writes a later read must see go one by one: a batch's writes are invisible until
    /// it is applied.
    public func write(_ body: (RocksWriteBatch) throws -> Void) throws {
        let batch = RocksWriteBatch()
        try body(batch)
        var error: UnsafeMutablePointer<CChar>? = nil
        rocksdb_write(db, writeOptions, batch.batch, &error)
        try check(error, "write batch")
    }

    /// Visits the entries whose key starts with `prefix`, in key order, while `body` returns true.
    public func scan(prefix: [UInt8], _ body: (_ key: [UInt8], _ value: [UInt8]) throws -> Bool) throws {
        try scan(prefix: prefix, from: prefix, body)
    }

    /// Visits the entries whose key starts with `prefix`, in key order from the first at
    /// or after `start`, while `body` returns true. Seeking past deleted keys skips their
    /// tombstones, which a scan from the prefix would step over one by one.
    public func scan(prefix: [UInt8], from start: [UInt8], _ body: (_ key: [UInt8], _ value: [UInt8]) throws -> Bool) throws {
        guard let iterator = rocksdb_create_iterator(db, readOptions) else { throw StateBackendError("RocksDB iterator failed") }
        defer { rocksdb_iter_destroy(iterator) }
        start.withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { rocksdb_iter_seek(iterator, $0.baseAddress, p.count) }
        }
        while rocksdb_iter_valid(iterator) != 0 {
            var keyLength = 0, valueLength = 0
            let k = rocksdb_iter_key(iterator, &keyLength)!
            let key = Array(UnsafeRawBufferPointer(start: k, count: keyLength))
            guard key.starts(with: prefix) else { break }
            let v = rocksdb_iter_value(iterator, &valueLength)!
            let value = Array(UnsafeRawBufferPointer(start: v, count: valueLength))
            guard try body(key, value) else { break }
            rocksdb_iter_next(iterator)
        }
        var error: UnsafeMutablePointer<CChar>? = nil
        rocksdb_iter_get_error(iterator, &error)
        try check(error, "scan")
    }

    /// Writes a consistent, openable copy of the database into `directory` (which must not
    /// exist): memtables are flushed first (the write-ahead log is off), then the
    /// immutable SST files are hard-linked and the small metadata files copied.
    public func checkpoint(into directory: String) throws {
        var error: UnsafeMutablePointer<CChar>? = nil
        guard let checkpoint = rocksdb_checkpoint_object_create(db, &error) else {
            try check(error, "checkpoint")
            throw StateBackendError("RocksDB checkpoint failed in \(path)")
        }
        defer { rocksdb_checkpoint_object_destroy(checkpoint) }
        rocksdb_checkpoint_create(checkpoint, directory, 0, &error)
        try check(error, "checkpoint into \(directory)")
    }

    /// Entries per (operator, state) over the whole database; the TTL index is not counted.
    public func entryCounts() throws -> [StateEntryCount] {
        var counts: [StateEntryCount.ID: Int64] = [:]
        try scan(prefix: []) { key, _ in
            guard key.first != StateKeyLayout.indexMarker else { return false }
            var reader = StateReader(key, offset: 2)
            let id = StateEntryCount.ID(operator: OperatorID(try reader.readString()), state: try reader.readString())
            counts[id, default: 0] += 1
            return true
        }
        return StateEntryCount.sorted(counts)
    }

    /// Number of entries of one state of one operator, over all key groups.
    /// Compacts the whole database now (compactions otherwise run as RocksDB sees fit);
    /// growing states' expired entries are gone afterwards (`CompactionExpiry`).
    public func compact() {
        rocksdb_compact_range(db, nil, 0, nil, 0)
    }

    public func countEntries(operator: OperatorID, state: String) throws -> Int {
        var n = 0
        for g in 0 ..< KeyGroup.count {
            let prefix = StateKeyLayout.prefix(group: KeyGroup(index: UInt16(g)), operator: `operator`, state: state)
            try scan(prefix: prefix) { _, _ in n += 1; return true }
        }
        return n
    }
}

/// Puts and deletes collected to be applied together (`RocksDatabase.write`).
public final class RocksWriteBatch {
    let batch: OpaquePointer

    init() { batch = rocksdb_writebatch_create() }
    deinit { rocksdb_writebatch_destroy(batch) }

    public var count: Int { Int(rocksdb_writebatch_count(batch)) }

    public func put(_ key: [UInt8], _ value: [UInt8]) {
        key.withUnsafeBufferPointer { k in
            value.withUnsafeBufferPointer { v in
                k.withMemoryRebound(to: CChar.self) { kc in
                    v.withMemoryRebound(to: CChar.self) { vc in
                        rocksdb_writebatch_put(batch, kc.baseAddress, k.count, vc.baseAddress, v.count)
                    }
                }
            }
        }
    }

    public func delete(_ key: [UInt8]) {
        key.withUnsafeBufferPointer { k in
            k.withMemoryRebound(to: CChar.self) { rocksdb_writebatch_delete(batch, $0.baseAddress, k.count) }
        }
    }

    public func put(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) {
        rocksdb_writebatch_put(batch, key.baseAddress?.assumingMemoryBound(to: CChar.self), key.count,
                               value.baseAddress?.assumingMemoryBound(to: CChar.self), value.count)
    }

    public func delete(_ key: UnsafeRawBufferPointer) {
        rocksdb_writebatch_delete(batch, key.baseAddress?.assumingMemoryBound(to: CChar.self), key.count)
    }
}
