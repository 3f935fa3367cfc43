import Testing
@testable import Dataflow

/// What RocksDB-backed state costs as it grows past its write-back cache, counted in
/// entries (`RocksDBStateWork`), not seconds: a flush costs what changed since the last,
/// and a watermark advance what expired, however many entries are cached or stored.
/// (Issue 15: every advance that expired something flushed, and every flush copied the
/// whole cache, so a day of reservations slowed an edge node to 1,000 events/s.)
@Suite(.timeLimit(.minutes(5))) struct WriteBackWorkTests {
    static let capacity = WriteBackCache<Int64, Int64>.capacity

    /// A RocksDB value state holding `live` entries, key `i` expiring at `i + 1`; then
    /// `records` records, each putting a new entry that expires `live` ms later and
    /// raising the watermark by 1 ms, so that the oldest entry expires at each record and
    /// the state keeps `live` live entries. Returns the work of the records alone (up to a
    /// last flush, which deletes what is due) and the state.
    func slidingExpiry(live: Int64, records: Int64) throws -> (RocksDBStateWork, ValueState<Int64, NoNamespace, Int64>) {
        let s = try BackendKind.rocksDB.make()
            .valueState(operator: "op", name: "ttl", key: Int64.self, namespace: NoNamespace.self, value: Int64.self)
        for i in 0 ..< live { try s.put(i, NoNamespace(), i, expiringAt: i + 1) }
        try s.flush()
        let before = s.rocksDBWork
        for r in 0 ..< records {
            try s.put(live + r, NoNamespace(), live + r, expiringAt: live + r + 1)
            try s.advance(to: Watermark(r + 1))
        }
        try s.flush()
        var work = s.rocksDBWork
        work.flushes -= before.flushes
        work.slotsVisited -= before.slotsVisited
        work.entriesWritten -= before.entriesWritten
        work.sweeps -= before.sweeps
        work.indexKeysVisited -= before.indexKeysVisited
        work.entriesExpired -= before.entriesExpired
        return (work, s)
    }

    @Test(arguments: [Int64(capacity / 2), Int64(4 * capacity)])
    func aWatermarkAdvanceCostsWhatExpiredNotWhatIsCached(live: Int64) throws {
        let records: Int64 = 10_000
        let (work, s) = try slidingExpiry(live: live, records: records)
        // Each record writes its entry and its index key once and deletes one expired
        // entry and its index key; nothing else is visited, at either size.
        #expect(work.slotsVisited <= Int(records))
        #expect(work.entriesWritten <= 2 * Int(records))
        #expect(work.entriesExpired == Int(records))
        #expect(work.indexKeysVisited <= Int(records) + work.sweeps)
        #expect(work.sweeps <= Int(records) / Int(RocksDBValueStorage<Int64, NoNamespace, Int64>.sweepInterval) + 1)
        // And the state is exact: what expired reads as absent and is deleted, the rest lives.
        #expect(try s.get(records - 1, NoNamespace()) == nil)
        #expect(try s.get(records, NoNamespace()) == records)
        #expect(try s.get(live + records - 1, NoNamespace()) == live + records - 1)
        #expect(s.count == Int(live))
    }

    @Test func aFlushVisitsTheEntriesChangedSinceTheLastNotTheCachedOnes() throws {
        let backend = try BackendKind.rocksDB.make()
        let stock = try backend.mapState(operator: "inventory", name: "stock", key: String.self, userKey: Int64.self,
                                         value: Int64.self)
        let skus = Int64(Self.capacity / 2)
        for sku in 0 ..< skus { try stock.put("store-1", sku, sku) }
        try stock.flush()
        for sku in 0 ..< skus { #expect(try stock.get("store-1", sku) == sku) }  // all cached, clean
        let before = stock.rocksDBWork
        for sku: Int64 in 0 ..< 10 { try stock.update("store-1", sku) { $0! += 1 } }
        try stock.update("store-1", 0) { $0! += 1 }  // dirty already: still one entry to write
        try stock.flush()
        #expect(stock.rocksDBWork.slotsVisited - before.slotsVisited == 10)
        #expect(stock.rocksDBWork.entriesWritten - before.entriesWritten == 10)
        #expect(try stock.get("store-1", 0) == 2)
        #expect(try stock.get("store-1", 9) == 10)
    }

    /// An entry put with an expiry and expired before the cache was written back is
    /// written as a delete, with no index key: nothing is left for a sweep to find.
    @Test func anEntryThatExpiredInTheCacheIsWrittenAsADelete() throws {
        let s = try BackendKind.rocksDB.make()
            .valueState(operator: "op", name: "ttl", key: String.self, namespace: NoNamespace.self, value: Int64.self)
        try s.put("brief", NoNamespace(), 1, expiringAt: 10)
        try s.put("kept", NoNamespace(), 2, expiringAt: 100)
        try s.advance(to: Watermark(50))
        try s.flush()
        #expect(s.rocksDBWork.entriesWritten == 3)  // a delete; a put and its index key
        #expect(s.count == 1)
        let visited = s.rocksDBWork.indexKeysVisited
        try s.advance(to: Watermark(100))
        #expect(try s.get("kept", NoNamespace()) == nil)
        try s.flush()
        #expect(s.count == 0)
        #expect(s.rocksDBWork.indexKeysVisited - visited == 1)  // "kept"'s only
    }
}
