import Testing
@testable import Dataflow

/// A state split into key partitions (one state per range of key groups, as an operator
/// running on several threads holds it), the same specification for both backends.
@Suite(.timeLimit(.minutes(5))) struct PartitionedStateTests {
    typealias Windows = ValueState<String, Int64, Int64>
    typealias Stock = MapState<String, String, Int64>

    func partitions(_ backend: any StateBackend, _ n: Int) throws -> [(Windows, Stock, KeyGroupRange)] {
        try (0 ..< n).map { task in
            let groups = KeyGroupRange.of(task: task, of: n)
            return (try backend.valueState(operator: "window", name: "slots", groups: groups, key: String.self,
                                           namespace: Int64.self, value: Int64.self),
                    try backend.mapState(operator: "inventory", name: "stock", groups: groups, key: String.self,
                                         userKey: String.self, value: Int64.self),
                    groups)
        }
    }

    func owner(of key: String, among parts: [(Windows, Stock, KeyGroupRange)]) -> (Windows, Stock, KeyGroupRange) {
        parts.first { $0.2.contains(KeyGroup(of: key)) }!
    }

    let keys = (0 ..< 200).map { "store-\($0)" }

    @Test(arguments: BackendKind.allCases)
    func aStateSplitInTwoCheckpointsAsOneAndRestoresIntoThreePartitionsOrOne(_ kind: BackendKind) throws {
        let dir = TemporaryDirectory()
        let backend = try kind.make()
        let two = try partitions(backend, 2)
        #expect(two[0].0 !== two[1].0)
        for (i, key) in keys.enumerated() {
            let (slots, stock, _) = owner(of: key, among: two)
            try slots.put(key, 10_000, Int64(i))
            try slots.put(key, 20_000, Int64(-i), expiringAt: 500)
            try stock.put(key, "sku-\(i % 7)", Int64(i))
        }
        try backend.checkpoint(into: dir.file("checkpoint"))
        let counts = try kind.stateKind.entryCounts(ofCheckpoint: dir.file("checkpoint"))
        #expect(counts.map { "\($0.id.operator)/\($0.id.state)=\($0.count)" } == ["inventory/stock=200", "window/slots=400"])

        for n in [3, 1] {
            let restored = try partitions(try kind.restore(from: dir.file("checkpoint"), into: dir.file("live-\(n)")), n)
            for (i, key) in keys.enumerated() {
                let (slots, stock, _) = owner(of: key, among: restored)
                #expect(try slots.get(key, 10_000) == Int64(i))
                #expect(try slots.get(key, 20_000) == Int64(-i))
                #expect(try stock.get(key, "sku-\(i % 7)") == Int64(i))
            }
            if kind == .memory {  // each partition took exactly its own keys
                for (slots, stock, groups) in restored {
                    var held = 0
                    try slots.forEach(in: .all) { key, _, _ in
                        #expect(groups.contains(KeyGroup(of: key)))
                        held += 1
                    }
                    #expect(held == slots.count)
                    #expect(stock.count == keys.filter { groups.contains(KeyGroup(of: $0)) }.count)
                }
            }
        }
    }

    @Test(arguments: BackendKind.allCases)
    func aPartitionsWatermarkExpiresOnlyItsOwnEntries(_ kind: BackendKind) throws {
        let backend = try kind.make()
        let two = try partitions(backend, 2)
        for key in keys { try owner(of: key, among: two).0.put(key, 0, 1, expiringAt: 100) }
        for (slots, _, _) in two { try slots.flush() }  // RocksDB: both partitions' entries in one expiry index
        try two[0].0.advance(to: Watermark(100))
        for key in keys {
            let (slots, _, groups) = owner(of: key, among: two)
            let expected: Int64? = groups == two[0].2 ? nil : 1
            #expect(try slots.get(key, 0) == expected, "\(key)")
        }
        var stillStored = 0  // read from the store itself, not from what the partition caches
        try two[1].0.forEach(in: two[1].2) { _, _, _ in stillStored += 1 }
        #expect(stillStored == keys.filter { two[1].2.contains(KeyGroup(of: $0)) }.count)
        try two[1].0.advance(to: Watermark(100))
        #expect(try keys.allSatisfy { try owner(of: $0, among: two).0.get($0, 0) == nil })
        if kind == .rocksDB {  // deleted by both partitions (at their next flush), not just hidden
            try two[1].0.flush()
            #expect(two[0].0.count == 0)
        }
    }

    @Test(arguments: BackendKind.allCases)
    func overlappingPartitionsOfOneStateAreRefused(_ kind: BackendKind) throws {
        let backend = try kind.make()
        _ = try backend.valueState(operator: "w", name: "s", groups: KeyGroupRange(0, 100), key: String.self,
                                   namespace: NoNamespace.self, value: Int64.self)
        #expect(throws: StateBackendError.self) {
            _ = try backend.valueState(operator: "w", name: "s", groups: KeyGroupRange(100, 200), key: String.self,
                                       namespace: NoNamespace.self, value: Int64.self)
        }
        _ = try backend.valueState(operator: "w", name: "s", groups: KeyGroupRange(101, 200), key: String.self,
                                   namespace: NoNamespace.self, value: Int64.self)
    }
}
