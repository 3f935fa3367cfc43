import Testing
@testable import Dataflow

/// Memory-backend checkpoints after the first hold only what changed since the one
/// before (a chain of snapshot files); restoring any checkpoint of the chain gives the
/// state exactly as it was when that checkpoint was taken.
@Suite struct MemorySnapshotChainTests {
    typealias Seen = ValueState<String, NoNamespace, Int64>

    func seen(_ backend: any StateBackend, groups: KeyGroupRange = .all) throws -> Seen {
        let s = try backend.valueState(operator: "dedup", name: "seen", groups: groups, key: String.self,
                                       namespace: NoNamespace.self, value: Int64.self)
        s.prepareSnapshots()
        return s
    }

    func contents(_ s: Seen, keys: some Sequence<String>) throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        for key in keys { out[key] = try s.get(key, NoNamespace()) }
        return out
    }

    @Test func eachCheckpointAddsOnlyItsChangesAndRestoresExactlyItsMoment() throws {
        let dir = TemporaryDirectory()
        let backend = MemoryStateBackend()
        let s = try seen(backend)
        let keys = (0 ..< 500).map { "k\($0)" }
        for (i, key) in keys.enumerated() { try s.put(key, NoNamespace(), Int64(i)) }
        try backend.checkpoint(into: dir.file("c1"))
        var expected = [try contents(s, keys: keys)]

        try s.put("k1", NoNamespace(), -1)  // changed
        try s.remove("k2", NoNamespace())  // removed
        try s.put("new", NoNamespace(), 7, expiringAt: 1_000)  // added, with an expiry
        try backend.checkpoint(into: dir.file("c2"))
        expected.append(try contents(s, keys: keys + ["new"]))
        try s.put("k2", NoNamespace(), 2)  // back again
        try s.remove("new", NoNamespace())
        try backend.checkpoint(into: dir.file("c3"))
        expected.append(try contents(s, keys: keys + ["new"]))

        #expect(try MemoryStateSnapshot.files(in: dir.file("c3")) == (0 ..< 3).map(MemoryStateSnapshot.fileName))
        // The change files are small: three entries, not the whole state.
        let whole = Directory.fileSize(dir.file("c1/" + MemoryStateSnapshot.fileName(0)))!
        #expect(Directory.fileSize(dir.file("c2/" + MemoryStateSnapshot.fileName(1)))! * 20 < whole)

        try Directory.remove(dir.file("c1"))  // an older checkpoint pruned: its files live on as links
        for (n, name) in ["c2", "c3"].enumerated() {
            let restored = try seen(try MemoryStateBackend(restoringFrom: dir.file(name)))
            #expect(try contents(restored, keys: keys + ["new"]) == expected[n + 1], "\(name)")
            #expect(restored.count == expected[n + 1].count)
        }
    }

    @Test func aRestoredChainGoesOnWithChangesAndANewChainStartsOnceTheChangesWeighAsMuchAsTheWhole() throws {
        let dir = TemporaryDirectory()
        var backend = MemoryStateBackend()
        var s = try seen(backend)
        for i in 0 ..< 1_000 { try s.put("k\(i)", NoNamespace(), 0) }
        try backend.checkpoint(into: dir.file("c0"))
        var counts: [Int] = []
        var last = "c0"
        for round in 1 ... 16 {
            if round == 3 {  // a run that resumed from the checkpoint before
                backend = try MemoryStateBackend(restoringFrom: dir.file(last))
                s = try seen(backend)
            }
            for i in 0 ..< 150 { try s.put("k\((round * 150 + i) % 1_000)", NoNamespace(), Int64(round)) }
            last = "c\(round)"
            try backend.checkpoint(into: dir.file(last))
            counts.append(try MemoryStateSnapshot.files(in: dir.file(last)).count)
        }
        // 150 of 1,000 entries changed per checkpoint: about 7 change files weigh as much
        // as the whole first file; then a whole file starts a new chain.
        let restart = try #require(counts.firstIndex(of: 1))
        #expect(Array(counts[..<restart]) == Array(2 ... restart + 1))
        #expect(restart >= 5 && restart <= 8, "\(counts)")
        let restored = try seen(try MemoryStateBackend(restoringFrom: dir.file(last)))
        #expect(try contents(restored, keys: (0 ..< 1_000).map { "k\($0)" }) == contents(s, keys: (0 ..< 1_000).map { "k\($0)" }))
        #expect(restored.count == 1_000)
    }

    @Test func aStateWhoseChangesOutgrewItIsWrittenWholeInTheChain() throws {
        let dir = TemporaryDirectory()
        let backend = MemoryStateBackend()
        let s = try seen(backend)
        try s.put("first", NoNamespace(), 1)
        try backend.checkpoint(into: dir.file("c1"))
        for i in 0 ..< 70_000 { try s.put("k\(i)", NoNamespace(), Int64(i)) }  // more than half the state
        #expect(!s.hasChangeLog)
        try s.remove("first", NoNamespace())
        try backend.checkpoint(into: dir.file("c2"))
        #expect(s.hasChangeLog)  // logging again from this checkpoint on
        let restored = try seen(try MemoryStateBackend(restoringFrom: dir.file("c2")))
        #expect(try restored.get("first", NoNamespace()) == nil)
        #expect(try restored.get("k69999", NoNamespace()) == 69_999)
        #expect(restored.count == 70_000)
    }

    @Test func changesOfAStateInPartitionsRestoreIntoAnotherSplit() throws {
        let dir = TemporaryDirectory()
        let backend = MemoryStateBackend()
        let parts = try (0 ..< 2).map { try seen(backend, groups: KeyGroupRange.of(task: $0, of: 2)) }
        func owner(_ key: String, _ parts: [Seen]) -> Seen {
            parts.first { $0.groups.contains(KeyGroup(of: key)) }!
        }
        let keys = (0 ..< 300).map { "store-\($0)" }
        for key in keys { try owner(key, parts).put(key, NoNamespace(), 1) }
        try backend.checkpoint(into: dir.file("c1"))
        for key in keys.prefix(40) { try owner(key, parts).put(key, NoNamespace(), 2) }
        for key in keys.suffix(20) { try owner(key, parts).remove(key, NoNamespace()) }
        #expect(parts.allSatisfy { $0.hasChangeLog })  // the next file holds changes, not whole partitions
        try backend.checkpoint(into: dir.file("c2"))

        let restoredBackend = try MemoryStateBackend(restoringFrom: dir.file("c2"))
        let three = try (0 ..< 3).map { try seen(restoredBackend, groups: KeyGroupRange.of(task: $0, of: 3)) }
        for (i, key) in keys.enumerated() {
            let expected: Int64? = i < 40 ? 2 : i >= 280 ? nil : 1
            #expect(try owner(key, three).get(key, NoNamespace()) == expected, "\(key)")
        }
        #expect(three.map(\.count).reduce(0, +) == 280)
    }
}
