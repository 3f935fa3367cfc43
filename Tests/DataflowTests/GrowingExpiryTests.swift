import Testing
@testable import Dataflow

/// States declared with growing expiries (`ExpiryOrder.growing`): they read exactly as
/// any state does, refuse a put that would move a live entry's expiry earlier, and in
/// RocksDB keep no expiry index: compactions drop their expired entries.
@Suite struct GrowingExpiryTests {
    typealias Seen = ValueState<String, NoNamespace, Int64>

    func growing(_ backend: any StateBackend, _ name: String = "seen", groups: KeyGroupRange = .all) throws -> Seen {
        let state = try backend.valueState(operator: "dedup", name: name, groups: groups, key: String.self,
                                           namespace: NoNamespace.self, value: Int64.self)
        try state.expect(.growing)
        return state
    }

    @Test(arguments: BackendKind.allCases)
    func entriesExpireExactlyAsInAnyState(_ kind: BackendKind) throws {
        let s = try growing(try kind.make())
        try s.put("early", NoNamespace(), 1, expiringAt: 100)
        #expect(try s.putIfAbsent("late", NoNamespace(), 2, expiringAt: 200) == nil)
        #expect(try s.putIfAbsent("late", NoNamespace(), 3, expiringAt: 300) == 2)
        try s.advance(to: Watermark(99))
        #expect(try s.get("early", NoNamespace()) == 1)
        try s.advance(to: Watermark(100))
        #expect(try s.get("early", NoNamespace()) == nil)
        #expect(try s.putIfAbsent("early", NoNamespace(), 4, expiringAt: 250) == nil)
        try s.advance(to: Watermark(200))
        #expect(try s.get("late", NoNamespace()) == nil)
        #expect(try s.get("early", NoNamespace()) == 4)
    }

    @Test(arguments: BackendKind.allCases)
    func aPutThatMovesALiveEntrysExpiryEarlierIsRefused(_ kind: BackendKind) throws {
        let s = try growing(try kind.make())
        try s.put("k", NoNamespace(), 1, expiringAt: 100)
        try s.put("k", NoNamespace(), 2, expiringAt: 100)
        try s.put("k", NoNamespace(), 3, expiringAt: 150)
        #expect(throws: StateBackendError.self) { try s.put("k", NoNamespace(), 4, expiringAt: 120) }
        #expect(try s.get("k", NoNamespace()) == 3)
        try s.advance(to: Watermark(150))
        try s.put("k", NoNamespace(), 5, expiringAt: 120)  // expired: nothing live to outlive
        #expect(try s.get("k", NoNamespace()) == nil)
    }

    @Test func rocksDBCompactionsDropExpiredEntriesAndWriteNoIndex() throws {
        let dir = TemporaryDirectory()
        let backend = try RocksDBStateBackend(directory: dir.file("db"), memoryBudget: 32 << 20)
        let s = try growing(backend)
        for i in 1 ... 200 { try s.put("tx-\(i)", NoNamespace(), Int64(i), expiringAt: Int64(i)) }
        try s.flush()  // before they expire: an entry expired in the cache is written as a delete
        try s.advance(to: Watermark(100))
        try s.flush()
        var indexKeys = 0
        try backend.database.scan(prefix: StateKeyLayout.expiryIndexPrefix(operator: "dedup", state: "seen")) { _, _ in
            indexKeys += 1
            return true
        }
        #expect(indexKeys == 0)
        #expect(s.count == 200)  // expired entries stay until a compaction meets them
        backend.database.compact()
        #expect(s.count == 100)
        #expect(try s.get("tx-100", NoNamespace()) == nil)
        #expect(try s.get("tx-101", NoNamespace()) == 101)
    }

    @Test func compactionsJudgeEachStateAndPartitionByItsOwnWatermark() throws {
        let dir = TemporaryDirectory()
        let backend = try RocksDBStateBackend(directory: dir.file("db"), memoryBudget: 32 << 20)
        let left = try growing(backend, groups: .of(task: 0, of: 2))
        let right = try growing(backend, groups: .of(task: 1, of: 2))
        let other = try backend.valueState(operator: "dedup", name: "seen-any", key: String.self,
                                           namespace: NoNamespace.self, value: Int64.self)
        let keys = (1 ... 400).map { "tx-\($0)" }
        for (i, key) in keys.enumerated() {
            let part = KeyGroupRange.of(task: 0, of: 2).contains(KeyGroup(of: key)) ? left : right
            try part.put(key, NoNamespace(), Int64(i), expiringAt: 1_000)
            try other.put(key, NoNamespace(), Int64(i), expiringAt: 1_000)
        }
        try left.advance(to: Watermark(1_000))
        try right.advance(to: Watermark(999))
        for s in [left, right, other] { try s.flush() }
        backend.database.compact()
        let inLeft = keys.filter { KeyGroupRange.of(task: 0, of: 2).contains(KeyGroup(of: $0)) }.count
        #expect(inLeft > 0 && inLeft < keys.count)
        #expect(try backend.database.countEntries(operator: "dedup", state: "seen") == keys.count - inLeft)
        #expect(other.count == keys.count)  // not growing: its own watermark, its own index
    }

    @Test func aRestoredGrowingStateGoesOnExpiringByCompaction() throws {
        let dir = TemporaryDirectory()
        let backend = try RocksDBStateBackend(directory: dir.file("db"), memoryBudget: 32 << 20)
        let s = try growing(backend)
        for i in 1 ... 50 { try s.put("tx-\(i)", NoNamespace(), Int64(i), expiringAt: Int64(i)) }
        try s.advance(to: Watermark(10))
        try backend.checkpoint(into: dir.file("chk"))

        let restored = try RocksDBStateBackend(directory: dir.file("db2"), memoryBudget: 32 << 20,
                                               restoringFrom: dir.file("chk"))
        let again = try growing(restored)
        try again.advance(to: Watermark(10))
        #expect(try again.get("tx-10", NoNamespace()) == nil)
        #expect(try again.get("tx-11", NoNamespace()) == 11)
        try again.advance(to: Watermark(30))
        restored.database.compact()
        #expect(again.count == 20)
    }
}

/// The Bloom filters in front of a growing RocksDB state: a key it never wrote skips
/// RocksDB, a key it wrote is never reported absent.
@Suite struct KeyPresenceFilterTests {
    func hash(_ i: Int) -> UInt64 { UInt64(bitPattern: Int64(StateHashing.mix(UInt64(i), seed: 7))) }

    @Test func everyInsertedKeyIsFoundAndFewOthersAre() {
        var filter = KeyPresenceFilter()
        let n = 200_000  // past the first generation's 65,536 keys
        for i in 0 ..< n { filter.insert(hash(i), expiresAt: Int64(i)) }
        #expect(filter.generations.count > 2)
        #expect((0 ..< n).allSatisfy { filter.mayContain(hash($0)) })
        let falsePositives = (n ..< 2 * n).filter { filter.mayContain(hash($0)) }.count
        #expect(Double(falsePositives) / Double(n) < 0.03)
    }

    @Test func aGenerationIsDroppedOnceEveryExpiryPutIntoItHasPassed() {
        var filter = KeyPresenceFilter()
        let first = KeyPresenceFilter.firstCapacity
        for i in 0 ..< first { filter.insert(hash(i), expiresAt: 1_000) }
        for i in first ..< 2 * first { filter.insert(hash(i), expiresAt: 2_000) }  // a second generation
        filter.retire(at: Watermark(999))
        #expect(filter.generations.count == 2)
        filter.retire(at: Watermark(1_000))
        #expect(filter.generations.count == 1)
        #expect(filter.mayContain(hash(first)))
        filter.retire(at: Watermark(5_000))  // the newest stays, whatever its expiries
        #expect(filter.generations.count == 1)
    }

    @Test func aGenerationHoldingAKeyWithoutExpiryIsKept() {
        var filter = KeyPresenceFilter()
        filter.insert(hash(0), expiresAt: .max)
        for i in 1 ... KeyPresenceFilter.firstCapacity { filter.insert(hash(i), expiresAt: 10) }
        filter.retire(at: Watermark(1_000))
        #expect(filter.mayContain(hash(0)))
    }

    @Test func aGrowingStateFindsEveryKeyAfterItsCacheWasWrittenBackAndAfterARestore() throws {
        let dir = TemporaryDirectory()
        let backend = try RocksDBStateBackend(directory: dir.file("db"), memoryBudget: 32 << 20)
        let s = try GrowingExpiryTests().growing(backend)
        let n = 70_000  // more than the write-back cache holds: it is written and emptied
        for i in 0 ..< n { #expect(try s.putIfAbsent("tx-\(i)", NoNamespace(), Int64(i), expiringAt: 1_000_000) == nil) }
        guard case .rocksDB(let stored) = s.storage else { Issue.record("not in RocksDB"); return }
        #expect(stored.presence != nil)
        #expect((0 ..< n).allSatisfy { (try? s.get("tx-\($0)", NoNamespace())) == Int64($0) })
        try backend.checkpoint(into: dir.file("chk"))

        let restored = try RocksDBStateBackend(directory: dir.file("db2"), memoryBudget: 32 << 20,
                                               restoringFrom: dir.file("chk"))
        let again = try GrowingExpiryTests().growing(restored)
        for i in stride(from: 0, to: n, by: 7) {
            #expect(try again.putIfAbsent("tx-\(i)", NoNamespace(), -1, expiringAt: 1_000_000) == Int64(i))
        }
        #expect(try again.putIfAbsent("tx-new", NoNamespace(), 1, expiringAt: 1_000_000) == nil)
    }
}
