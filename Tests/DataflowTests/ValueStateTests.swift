import Testing
@testable import Dataflow

@Suite struct ValueStateTests {
    func makeState() throws -> ValueState<String, NoNamespace, Int64> {
        try MemoryStateBackend().valueState(operator: "op", name: "s", key: String.self, namespace: NoNamespace.self, value: Int64.self)
    }

    @Test func putGetUpdateAndRemove() throws {
        let s = try makeState()
        try s.put("a", NoNamespace(), 1)
        try s.update("a", NoNamespace()) { $0! += 10 }
        try s.update("b", NoNamespace()) { $0 = 5 }
        #expect(try s.get("a", NoNamespace()) == 11)
        #expect(try s.get("b", NoNamespace()) == 5)
        try s.remove("a", NoNamespace())
        #expect(try s.get("a", NoNamespace()) == nil)
        #expect(s.count == 1)
    }

    @Test func anEntryExpiresExactlyWhenTheWatermarkReachesItsExpiry() throws {
        let s = try makeState()
        try s.put("late", NoNamespace(), 1, expiringAt: 200)
        try s.put("early", NoNamespace(), 2, expiringAt: 100)  // behind a later expiry in the queue
        s.advance(to: Watermark(99))
        #expect(try s.get("early", NoNamespace()) == 2)
        s.advance(to: Watermark(100))
        #expect(try s.get("early", NoNamespace()) == nil)  // reads as absent at once
        #expect(try s.get("late", NoNamespace()) == 1)
        s.advance(to: Watermark(200))
        #expect(try s.get("late", NoNamespace()) == nil)
        #expect(s.count == 0)  // both deleted once the front expired
    }

    @Test func entriesWithoutExpirySurviveTheEndOfInput() throws {
        let s = try makeState()
        try s.put("kept", NoNamespace(), 7)
        try s.put("ttl", NoNamespace(), 8, expiringAt: 1_000)
        s.advance(to: .end)
        #expect(try s.get("kept", NoNamespace()) == 7)
        #expect(try s.get("ttl", NoNamespace()) == nil)
    }

    @Test func aKeyPutAgainAfterExpiryLivesByItsNewExpiry() throws {
        let s = try makeState()
        try s.put("k", NoNamespace(), 1, expiringAt: 10)
        s.advance(to: Watermark(10))
        try s.put("k", NoNamespace(), 2, expiringAt: 50)
        s.advance(to: Watermark(20))
        #expect(try s.get("k", NoNamespace()) == 2)
    }

    @Test func theKeyLayoutStartsWithTheKeyGroupAndRoundTrips() throws {
        let bytes = StateKeyLayout.encode(operator: "dedup", state: "seen", key: "store-1", namespace: Int64(42))
        let decoded = try StateKeyLayout.decode(bytes, key: String.self, namespace: Int64.self)
        #expect(decoded.group == KeyGroup(of: "store-1"))
        #expect(decoded.operator == "dedup" && decoded.state == "seen" && decoded.key == "store-1" && decoded.namespace == 42)
        #expect(Array(bytes.prefix(2)) == [UInt8(decoded.group.index >> 8), UInt8(decoded.group.index & 0xFF)])
        #expect(bytes.starts(with: StateKeyLayout.prefix(group: decoded.group, operator: "dedup", state: "seen")))
    }

    @Test func keyGroupsAreStableAcrossProcesses() {
        // FNV-1a of the codec bytes: fixed numbers, whatever Swift's Hasher seed is.
        #expect(KeyGroup(of: "store-0042").index == KeyGroup(of: "store-0042").index)
        #expect(KeyHash.fnv1a(Array("a".utf8)) == 0xaf63dc4c8601ec8c)
        #expect(KeyGroupRange.of(task: 0, of: 2) == KeyGroupRange(0, 2047))
        #expect(KeyGroupRange.of(task: 1, of: 2) == KeyGroupRange(2048, 4095))
    }
}

@Suite struct MapStateTests {
    @Test func eachKeyHasItsOwnMap() throws {
        let backend = MemoryStateBackend()
        let stock = try backend.mapState(operator: "inventory", name: "stock", key: String.self, userKey: String.self, value: Int64.self)
        try stock.put("store-1", "SKU-2", 5)
        try stock.put("store-1", "SKU-1", 7)
        try stock.put("store-2", "SKU-1", 9)
        try stock.update("store-1", "SKU-1") { $0! -= 2 }
        #expect(try stock.get("store-1", "SKU-1") == 5)
        #expect(try stock.get("store-2", "SKU-1") == 9)
        #expect(try stock.get("store-2", "SKU-2") == nil)
        #expect(try stock.entries(of: "store-1").map(\.0) == ["SKU-1", "SKU-2"])
        try stock.remove("store-1", "SKU-2")
        #expect(try !stock.contains("store-1", "SKU-2"))
        #expect(stock.count == 2)
        let again = try backend.mapState(operator: "inventory", name: "stock", key: String.self, userKey: String.self, value: Int64.self)
        #expect(again === stock)
    }
}
