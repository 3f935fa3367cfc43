import Testing
@testable import Dataflow

/// The memory value state's table of encoded keys: whatever the order of puts and
/// removals, it finds exactly the live entries, through index rebuilds and compactions.
@Suite struct EncodedEntryTableTests {
    /// SplitMix64: the same operations in every run.
    struct Steps {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
    }

    /// Key bytes of every length from 0 to 40 (the hash reads words, then a tail).
    func keyBytes(_ n: Int) -> [UInt8] {
        let length = n % 41
        return (0 ..< length).map { UInt8(truncatingIfNeeded: n &* 31 &+ $0 &* 7) } + withUnsafeBytes(of: n) { Array($0) }
    }

    func find(_ table: EncodedEntryTable<Int>, _ key: [UInt8]) -> Int? {
        key.withUnsafeBytes { table.find($0, hash: EncodedEntryTable<Int>.hash($0)) }
    }

    @Test func putsAndRemovalsInAnyOrderLeaveExactlyTheLiveEntriesFindable() {
        var table = EncodedEntryTable<Int>()
        var model: [[UInt8]: Int] = [:]
        var steps = Steps(state: 7)
        for step in 0 ..< 60_000 {
            let key = keyBytes(steps.next(20_000))
            if let entry = find(table, key) {
                #expect(table.values[entry] == model[key])
                if steps.next(3) > 0 {  // mostly remove what is there
                    table.remove(entry)
                    model[key] = nil
                } else {
                    table.values[entry] = step
                    model[key] = step
                }
            } else {
                #expect(model[key] == nil)
                _ = key.withUnsafeBytes { table.insert($0, hash: EncodedEntryTable<Int>.hash($0), value: step) }
                model[key] = step
            }
            if table.wantsCompaction {
                let renumbered = table.compacted()
                #expect(renumbered.filter { $0 >= 0 } == Array(0 ..< table.numbered))
            }
        }
        #expect(table.renumberings > 0)
        #expect(table.count == model.count)
        for n in 0 ..< 20_000 {
            let key = keyBytes(n)
            #expect(find(table, key).flatMap { table.values[$0] } == model[key])
        }
        // Every live entry is numbered once, with its own bytes.
        var live = 0
        for entry in 0 ..< table.numbered where table.values[entry] != nil {
            live += 1
            #expect(table.keyBytes(of: entry) { model[Array($0)] } == table.values[entry])
        }
        #expect(live == model.count)
    }

    @Test func theEmptyKeyIsAKeyLikeAnyOther() {
        var table = EncodedEntryTable<Int>()
        #expect(find(table, []) == nil)
        let entry = [UInt8]().withUnsafeBytes { table.insert($0, hash: EncodedEntryTable<Int>.hash($0), value: 1) }
        #expect(find(table, []) == entry)
        #expect(find(table, [0]) == nil)
        table.remove(entry)
        #expect(find(table, []) == nil)
        #expect(table.count == 0)
    }
}

/// A memory value state renumbers its entries when removed ones outweigh the live
/// ones; what it holds of entry numbers (expiries, the change log) follows.
@Suite struct MemoryValueStateCompactionTests {
    typealias State = ValueState<String, NoNamespace, Int64>

    func state(_ backend: any StateBackend) throws -> State {
        let s = try backend.valueState(operator: "dedup", name: "seen", key: String.self, namespace: NoNamespace.self,
                                       value: Int64.self)
        s.prepareSnapshots()
        return s
    }

    @Test(arguments: BackendKind.allCases)
    func entriesThatOutliveMostOthersStillReadAndExpireOnTime(_ kind: BackendKind) throws {
        let s = try state(try kind.make())
        // 20,000 keys expiring at 1..20,000, and 100 kept keys put after them (their
        // expiries sit at the back of the queue: they are renumbered while waiting).
        for i in 1 ... 20_000 { try s.put("k\(i)", NoNamespace(), Int64(i), expiringAt: Int64(i)) }
        for i in 0 ..< 100 { try s.put("kept\(i)", NoNamespace(), Int64(i), expiringAt: 30_000 + Int64(i)) }
        try s.advance(to: Watermark(15_000))
        if kind == .memory { #expect(s.memory!.table.renumberings > 0) }
        #expect(s.count == 5_000 + 100)
        #expect(try s.get("k15000", NoNamespace()) == nil)
        #expect(try s.get("k15001", NoNamespace()) == 15_001)
        try s.advance(to: Watermark(30_049))  // reaches the expiries of kept0...kept49
        #expect(try s.get("k20000", NoNamespace()) == nil)
        #expect(try s.get("kept49", NoNamespace()) == nil)
        #expect(try s.get("kept50", NoNamespace()) == 50)
        #expect(s.count == 50)
    }

    @Test func aCheckpointAfterARenumberingHoldsExactlyTheLiveEntries() throws {
        let dir = TemporaryDirectory()
        let backend = MemoryStateBackend()
        let s = try state(backend)
        for i in 0 ..< 10_000 { try s.put("k\(i)", NoNamespace(), Int64(i), expiringAt: Int64(i) + 1) }
        try backend.checkpoint(into: dir.file("c1"))
        try s.put("added", NoNamespace(), -1)  // a logged change...
        try s.advance(to: Watermark(9_000))  // ...then expiries (not logged) renumber
        #expect(s.memory!.table.renumberings == 1)
        try s.put("k9999", NoNamespace(), -2, expiringAt: 20_000)
        try backend.checkpoint(into: dir.file("c2"))
        let restored = try state(try MemoryStateBackend(restoringFrom: dir.file("c2")))
        try restored.advance(to: Watermark(9_000))
        #expect(restored.count == 1_001)
        #expect(try restored.get("k8999", NoNamespace()) == nil)
        #expect(try restored.get("k9000", NoNamespace()) == 9_000)
        #expect(try restored.get("k9999", NoNamespace()) == -2)
        #expect(try restored.get("added", NoNamespace()) == -1)
    }

    @Test func anUpdateWhoseBodyRenumbersTheStateStillWritesItsOwnEntry() throws {
        let s = try state(MemoryStateBackend())
        for i in 0 ..< 10_000 { try s.put("k\(i)", NoNamespace(), Int64(i)) }
        try s.update("k9999", NoNamespace()) { value in
            for i in 0 ..< 9_000 { try? s.remove("k\(i)", NoNamespace()) }
            value! += 1
        }
        #expect(s.memory!.table.renumberings == 1)
        #expect(try s.get("k9999", NoNamespace()) == 10_000)
        #expect(try s.get("k9998", NoNamespace()) == 9_998)
        #expect(s.count == 1_000)
    }
}
