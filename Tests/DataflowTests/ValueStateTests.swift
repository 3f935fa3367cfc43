import Foundation
import Testing
@testable import Dataflow

/// The backends every state specification below runs against.
enum BackendKind: String, CaseIterable, CustomTestStringConvertible {
    case memory, rocksDB

    var testDescription: String { rawValue }

    func make() throws -> any StateBackend {
        switch self {
        case .memory:
            return MemoryStateBackend()
        case .rocksDB:
            let dir = NSTemporaryDirectory() + "tillflow-state-" + UUID().uuidString
            return try RocksDBStateBackend(directory: dir, memoryBudget: 32 << 20)
        }
    }

    /// A backend holding the state of the checkpoint in `checkpoint`, its live files in `directory`.
    func restore(from checkpoint: String, into directory: String) throws -> any StateBackend {
        switch self {
        case .memory: return try MemoryStateBackend(restoringFrom: checkpoint)
        case .rocksDB: return try RocksDBStateBackend(directory: directory, memoryBudget: 32 << 20, restoringFrom: checkpoint)
        }
    }

    var stateKind: StateBackendKind { self == .memory ? .memory : .rocksdb }
}

@Suite(.timeLimit(.minutes(5))) struct ValueStateTests {
    func makeState(_ kind: BackendKind) throws -> ValueState<String, NoNamespace, Int64> {
        try kind.make().valueState(operator: "op", name: "s", key: String.self, namespace: NoNamespace.self, value: Int64.self)
    }

    @Test(arguments: BackendKind.allCases)
    func putGetUpdateAndRemove(_ kind: BackendKind) throws {
        let s = try makeState(kind)
        try s.put("a", NoNamespace(), 1)
        try s.update("a", NoNamespace()) { $0! += 10 }
        try s.update("b", NoNamespace()) { $0 = 5 }
        #expect(try s.get("a", NoNamespace()) == 11)
        #expect(try s.get("b", NoNamespace()) == 5)
        try s.remove("a", NoNamespace())
        #expect(try s.get("a", NoNamespace()) == nil)
        #expect(s.count == 1)
    }

    @Test(arguments: BackendKind.allCases)
    func anEntryExpiresExactlyWhenTheWatermarkReachesItsExpiry(_ kind: BackendKind) throws {
        let s = try makeState(kind)
        try s.put("late", NoNamespace(), 1, expiringAt: 200)
        try s.put("early", NoNamespace(), 2, expiringAt: 100)  // behind a later expiry in the queue
        try s.advance(to: Watermark(99))
        #expect(try s.get("early", NoNamespace()) == 2)
        try s.advance(to: Watermark(100))
        #expect(try s.get("early", NoNamespace()) == nil)  // reads as absent at once
        #expect(try s.get("late", NoNamespace()) == 1)
        try s.advance(to: Watermark(200))
        #expect(try s.get("late", NoNamespace()) == nil)
        #expect(s.count == 0)  // both deleted once the front expired
    }

    @Test(arguments: BackendKind.allCases)
    func entriesWithoutExpirySurviveTheEndOfInput(_ kind: BackendKind) throws {
        let s = try makeState(kind)
        try s.put("kept", NoNamespace(), 7)
        try s.put("ttl", NoNamespace(), 8, expiringAt: 1_000)
        try s.advance(to: .end)
        #expect(try s.get("kept", NoNamespace()) == 7)
        #expect(try s.get("ttl", NoNamespace()) == nil)
    }

    @Test(arguments: BackendKind.allCases)
    func aKeyPutAgainAfterExpiryLivesByItsNewExpiry(_ kind: BackendKind) throws {
        let s = try makeState(kind)
        try s.put("k", NoNamespace(), 1, expiringAt: 10)
        try s.advance(to: Watermark(10))
        try s.put("k", NoNamespace(), 2, expiringAt: 50)
        try s.advance(to: Watermark(20))
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

@Suite(.timeLimit(.minutes(5))) struct MapStateTests {
    @Test(arguments: BackendKind.allCases)
    func eachKeyHasItsOwnMap(_ kind: BackendKind) throws {
        let backend = try kind.make()
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

@Suite(.timeLimit(.minutes(5))) struct StateBackendContractTests {
    @Test(arguments: BackendKind.allCases)
    func keyGroupRangesSeeExactlyTheirKeys(_ kind: BackendKind) throws {
        let state = try kind.make().valueState(operator: "op", name: "windows", key: String.self, namespace: Int64.self,
                                               value: Int64.self)
        let keys = (0 ..< 300).map { "store-\($0)" }
        for (i, key) in keys.enumerated() { try state.put(key, Int64(i % 3), Int64(i)) }
        var seen: [String: Int64] = [:]
        for task in 0 ..< 3 {
            try state.forEach(in: KeyGroupRange.of(task: task, of: 3)) { key, namespace, value in
                #expect(KeyGroupRange.of(task: task, of: 3).contains(KeyGroup(of: key)))
                #expect(namespace == value % 3)
                #expect(seen.updateValue(value, forKey: key) == nil)
            }
        }
        #expect(seen.count == keys.count)
        #expect(state.count == keys.count)
    }

    @Test(arguments: BackendKind.allCases)
    func namespacesKeepOneKeysEntriesApart(_ kind: BackendKind) throws {
        let state = try kind.make().valueState(operator: "w", name: "slots", key: String.self, namespace: Int64.self,
                                               value: String.self)
        try state.put("a", 10_000, "first")
        try state.put("a", 20_000, "second")
        try state.put("ab", 10_000, "other key")
        #expect(try state.get("a", 10_000) == "first")
        #expect(try state.get("a", 20_000) == "second")
        try state.remove("a", 10_000)
        #expect(try state.get("a", 10_000) == nil)
        #expect(try state.get("ab", 10_000) == "other key")
    }

    @Test(arguments: BackendKind.allCases)
    func statesOfOneOperatorAndOfTwoOperatorsAreSeparate(_ kind: BackendKind) throws {
        let backend = try kind.make()
        let a = try backend.valueState(operator: "op1", name: "x", key: String.self, namespace: NoNamespace.self, value: Int64.self)
        let b = try backend.valueState(operator: "op1", name: "y", key: String.self, namespace: NoNamespace.self, value: Int64.self)
        let c = try backend.valueState(operator: "op2", name: "x", key: String.self, namespace: NoNamespace.self, value: Int64.self)
        try a.put("k", NoNamespace(), 1)
        try b.put("k", NoNamespace(), 2)
        try c.put("k", NoNamespace(), 3)
        #expect(try [a, b, c].map { try $0.get("k", NoNamespace()) } == [1, 2, 3])
        #expect(throws: StateBackendError.self) {
            _ = try backend.valueState(operator: "op1", name: "x", key: String.self, namespace: NoNamespace.self, value: String.self)
        }
    }

    @Test func aDatabaseThatCannotBeOpenedIsAClearError() {
        #expect {
            _ = try RocksDBStateBackend(directory: "/proc/no-such-place/db")
        } throws: { error in
            "\(error)".contains("/proc/no-such-place/db")
        }
    }
}
