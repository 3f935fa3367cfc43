import Testing
@testable import Dataflow

/// Checkpoint and restore of keyed state, the same specification for both backends.
@Suite(.timeLimit(.minutes(5))) struct StateCheckpointTests {
    typealias Seen = ValueState<String, NoNamespace, Int64>
    typealias Stock = MapState<String, String, Int64>

    func states(_ backend: any StateBackend) throws -> (Seen, Stock) {
        (try backend.valueState(operator: "dedup", name: "seen", key: String.self, namespace: NoNamespace.self, value: Int64.self),
         try backend.mapState(operator: "inventory", name: "stock", key: String.self, userKey: String.self, value: Int64.self))
    }

    @Test(arguments: BackendKind.allCases)
    func aRestoredBackendHoldsExactlyWhatItHeldAtTheCheckpoint(_ kind: BackendKind) throws {
        let dir = TemporaryDirectory()
        let backend = try kind.make()
        let (seen, stock) = try states(backend)
        try seen.put("kept", NoNamespace(), 1)
        try seen.put("ttl-100", NoNamespace(), 2, expiringAt: 100)
        try seen.put("ttl-300", NoNamespace(), 3, expiringAt: 300)
        try stock.put("store-1", "sku-a", 10)
        try stock.put("store-1", "sku-b", 20)
        try stock.put("store-2", "sku-a", 30)
        try backend.checkpoint(into: dir.file("checkpoint"))

        // Changes after the checkpoint are not in it.
        try seen.put("after", NoNamespace(), 9)
        try seen.remove("kept", NoNamespace())
        try stock.put("store-1", "sku-a", 0)

        let restored = try kind.restore(from: dir.file("checkpoint"), into: dir.file("live"))
        let (seen2, stock2) = try states(restored)
        #expect(try seen2.get("kept", NoNamespace()) == 1)
        #expect(try seen2.get("after", NoNamespace()) == nil)
        #expect(try stock2.entries(of: "store-1").map { "\($0.0)=\($0.1)" } == ["sku-a=10", "sku-b=20"])
        #expect(try stock2.get("store-2", "sku-a") == 30)

        // Expiries survive the round trip and are judged against the restored watermark.
        try seen2.advance(to: Watermark(100))
        #expect(try seen2.get("ttl-100", NoNamespace()) == nil)
        #expect(try seen2.get("ttl-300", NoNamespace()) == 3)
        #expect(seen2.count == 2)  // "ttl-100" deleted, not just hidden
        try seen2.advance(to: Watermark(300))
        #expect(try seen2.get("ttl-300", NoNamespace()) == nil)

        let counts = try kind.stateKind.entryCounts(ofCheckpoint: dir.file("checkpoint"))
        #expect(counts.map { "\($0.id.operator)/\($0.id.state)=\($0.count)" } == ["dedup/seen=3", "inventory/stock=3"])
    }

    @Test(arguments: BackendKind.allCases)
    func theLiveStateKeepsWorkingAfterACheckpoint(_ kind: BackendKind) throws {
        let dir = TemporaryDirectory()
        let backend = try kind.make()
        let (seen, _) = try states(backend)
        for i in 0 ..< 1_000 { try seen.put("k\(i)", NoNamespace(), Int64(i)) }
        try backend.checkpoint(into: dir.file("c1"))
        for i in 0 ..< 1_000 where i % 2 == 0 { try seen.remove("k\(i)", NoNamespace()) }
        try backend.checkpoint(into: dir.file("c2"))
        #expect(seen.count == 500)
        let first = try states(try kind.restore(from: dir.file("c1"), into: dir.file("live1"))).0
        let second = try states(try kind.restore(from: dir.file("c2"), into: dir.file("live2"))).0
        #expect(first.count == 1_000)
        #expect(second.count == 500)
        #expect(try second.get("k1", NoNamespace()) == 1)
        #expect(try second.get("k2", NoNamespace()) == nil)
    }

    /// (RocksDB keeps bytes only; there the job's fingerprint in the manifest guards the types.)
    @Test func aMapStateRestoredAsAValueStateIsAnError() throws {
        let dir = TemporaryDirectory()
        let backend = MemoryStateBackend()
        try states(backend).1.put("store-1", "sku-a", 1)
        try backend.checkpoint(into: dir.file("checkpoint"))
        let restored = try MemoryStateBackend(restoringFrom: dir.file("checkpoint"))
        #expect(throws: (any Error).self) {
            _ = try restored.valueState(operator: "inventory", name: "stock", key: String.self,
                                        namespace: NoNamespace.self, value: Int64.self).get("store-1", NoNamespace())
        }
    }

    @Test func aDamagedMemorySnapshotIsRefusedWithItsReason() throws {
        let dir = TemporaryDirectory()
        let backend = MemoryStateBackend()
        try states(backend).0.put("a", NoNamespace(), 1)
        try backend.checkpoint(into: dir.file("checkpoint"))
        let file = dir.file("checkpoint/" + MemoryStateSnapshot.fileName(0))
        var bytes = dir.read(file)
        bytes[bytes.count / 2] ^= 0x01
        dir.write("checkpoint/" + MemoryStateSnapshot.fileName(0), bytes)
        #expect { _ = try MemoryStateBackend(restoringFrom: dir.file("checkpoint")) } throws: { error in
            "\(error)".contains("checksum")
        }
        dir.write("checkpoint/" + MemoryStateSnapshot.fileName(0), Array(bytes.prefix(10)))
        #expect { _ = try MemoryStateBackend(restoringFrom: dir.file("checkpoint")) } throws: { error in
            "\(error)".contains("truncated")
        }
    }
}

/// List-style state, the same specification for both backends.
@Suite(.timeLimit(.minutes(5))) struct ListStateTests {
    @Test(arguments: BackendKind.allCases)
    func elementsComeBackInAppendOrderPerKeyAndNamespaceAndSurviveACheckpoint(_ kind: BackendKind) throws {
        let dir = TemporaryDirectory()
        let backend = try kind.make()
        let list = try ListState<String, Int64, String>(backend: backend, operator: "sessions", name: "events")
        for i in 0 ..< 5 { try list.append("store-1", 10, "e\(i)") }
        try list.append("store-1", 20, "other window")
        try list.append("store-2", 10, "other key")
        #expect(try list.get("store-1", 10) == ["e0", "e1", "e2", "e3", "e4"])
        #expect(try list.get("store-1", 20) == ["other window"])
        #expect(try list.get("store-3", 10) == [])
        try backend.checkpoint(into: dir.file("checkpoint"))
        try list.clear("store-1", 10)
        #expect(try list.get("store-1", 10) == [])
        #expect(try list.count("store-2", 10) == 1)

        let restored = try ListState<String, Int64, String>(
            backend: try kind.restore(from: dir.file("checkpoint"), into: dir.file("live")), operator: "sessions", name: "events")
        #expect(try restored.get("store-1", 10) == ["e0", "e1", "e2", "e3", "e4"])
        try restored.append("store-1", 10, "e5")
        #expect(try restored.count("store-1", 10) == 6)
    }
}

/// More entries than a RocksDB state caches (`WriteBackCache.capacity`): reads, updates,
/// removals and expiries stay exact across the flushes that empty the cache.
@Suite(.timeLimit(.minutes(5))) struct LargeStateTests {
    @Test(arguments: BackendKind.allCases)
    func statesLargerThanTheWriteBackCacheStayExact(_ kind: BackendKind) throws {
        let backend = try kind.make()
        let s = try backend.valueState(operator: "op", name: "big", key: Int64.self, namespace: NoNamespace.self, value: Int64.self)
        let n: Int64 = 100_000
        for i in 0 ..< n { try s.put(i, NoNamespace(), i, expiringAt: 1_000 + i % 1_000) }
        for i in stride(from: 0, to: n, by: 2) { try s.update(i, NoNamespace()) { $0! += 1 } }  // keeps the expiry
        for i in stride(from: 0, to: n, by: 5) { try s.remove(i, NoNamespace()) }
        #expect(try s.get(2, NoNamespace()) == 3)
        #expect(try s.get(3, NoNamespace()) == 3)
        #expect(try s.get(5, NoNamespace()) == nil)
        #expect(s.count == Int(n - n / 5))
        try s.advance(to: Watermark(1_499))  // expires i % 1000 < 500
        #expect(try s.get(2, NoNamespace()) == nil)
        #expect(try s.get(501, NoNamespace()) == 501)
        #expect(try s.get(99_998, NoNamespace()) == 99_999)
        let expected = (0 ..< n).filter { $0 % 5 != 0 && $0 % 1_000 >= 500 }
        let live = try (0 ..< n).filter { try s.get($0, NoNamespace()) != nil }
        #expect(live == expected)
        if kind == .rocksDB { #expect(s.count == expected.count) }  // deleted, not just hidden
    }
}
