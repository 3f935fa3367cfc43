import Dataflow
import Testing
@testable import Operators

/// A keyed operator split into key partitions on threads of their own emits what one
/// instance emits, in the same order, and checkpoints the same bytes.
@Suite struct PartitionedProcessTests {
    /// Stores whose keys fall in different partitions of 3, with disorder, late records
    /// and revisions within the allowed lateness.
    static let sales = disorderedSales(count: 2_000, stores: 23, step: 700, jitter: 9_000, storeStride: 31,
                                       storePrefix: "store-")

    @Test func theTestStoresFallInEveryPartition() {
        let partitions = Set(Self.sales.map { store in
            (0 ..< 3).first { KeyGroupRange.of(task: $0, of: 3).contains(KeyGroup(of: store.store)) }!
        })
        #expect(partitions == [0, 1, 2])
    }

    @Test(arguments: [2, 3, 5])
    func rowsLateRecordsAndWatermarksComeOutAsFromOneInstance(partitions: Int) throws {
        for batchSize in [1, 17, 1_000] {
            let one = try runWindow(Self.sales, lateness: 3_000, batchSize: batchSize)
            let split = try runWindow(Self.sales, lateness: 3_000, batchSize: batchSize, partitions: partitions)
            #expect(one.rows.contains { $0.revision > 0 } && !one.late.isEmpty)
            let firstDifference = zip(split.events, one.events).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            #expect(split.events.count == one.events.count && firstDifference == nil,
                    "batch size \(batchSize): first difference at event \(firstDifference ?? -1) of \(one.events.count)")
        }
    }

    @Test func windowsOfOneEndInDifferentPartitionsFireInOrderOfTheirFirstRecord() throws {
        let stores = ["c", "a", "b", "d", "e", "f"]
        let sales = stores.enumerated().map { Sale(store: $1, time: 1_000 + Int64($0), amount: 1) }
            + [Sale(store: "a", time: 25_000, amount: 8)]
        let split = try runWindow(sales, batchSize: 100, partitions: 3)
        #expect(split.rows.prefix(6).map(\.key) == stores)
    }

    /// A function that registers, at every record, a timer at the same time for its key:
    /// the timers of one time fire in input order of the records that created them,
    /// across partitions.
    struct Ping: KeyedProcessFunction {
        typealias Key = String
        typealias Input = Sale
        typealias Output = String
        mutating func open(_ state: StateScope) throws {}
        mutating func processElement(_ input: Sale, key: String, context: ProcessContext<Ping>) throws {
            context.registerTimer(at: 100, key: key)
        }
        mutating func onTimer(_ time: Int64, key: String, scope: NoNamespace, context: ProcessContext<Ping>) throws {
            context.emit(key)
        }
    }

    @Test func theSnapshotIsTheSameBytesSplitOrWholeAndRestoresIntoAnotherSplit() throws {
        let keys = (0 ..< 40).map { "k\(($0 * 17) % 40)" }
        let batch = Batch(records: keys.map { Sale(store: $0, time: 0, amount: 0) })
        func whole() throws -> KeyedProcessOperator<Ping> {
            try KeyedProcessOperator(Ping(), keyOf: { $0.store }, state: StateScope(operatorID: "ping", backend: MemoryStateBackend()))
        }
        func split(_ n: Int) throws -> PartitionedProcessOperator<Ping> {
            try PartitionedProcessOperator(partitions: n, operatorID: "ping", backend: MemoryStateBackend(),
                                           keyOf: { $0.store }, makeFunction: { Ping() })
        }
        func bytes(_ op: some CheckpointedOperator) throws -> [UInt8] {
            var w = StateWriter()
            try op.snapshot(into: &w)
            return w.bytes
        }
        let a = try whole(), b = try split(3)
        try a.consume(batch)
        try b.consume(batch)
        #expect(try bytes(b) == bytes(a))

        // Restored at 2 partitions from the 3-partition checkpoint: fires like the whole one.
        let c = try split(2)
        var reader = StateReader(try bytes(b))
        try c.restore(from: &reader)
        let fromWhole = CollectingSink<String>(), fromSplit = CollectingSink<String>()
        a.output.attach(fromWhole)
        c.output.attach(fromSplit)
        try a.finish()
        try c.finish()
        #expect(fromSplit.records == keys)
        #expect(fromSplit.records == fromWhole.records)
        #expect(fromSplit.watermarks == fromWhole.watermarks)
    }

    @Test func aFailureInAnyPartitionStopsTheOperatorWithThatError() throws {
        struct Refuse: KeyedProcessFunction {
            typealias Key = String
            typealias Input = Sale
            typealias Output = Never
            struct Refused: Error {}
            mutating func open(_ state: StateScope) throws {}
            mutating func processElement(_ input: Sale, key: String, context: ProcessContext<Refuse>) throws {
                if input.amount < 0 { throw Refused() }
            }
        }
        let op = try PartitionedProcessOperator(partitions: 3, operatorID: "r", backend: MemoryStateBackend(),
                                                keyOf: { $0.store }, makeFunction: { Refuse() })
        let stores = (0 ..< 30).map { "s\($0)" }
        try op.consume(Batch(records: stores.map { Sale(store: $0, time: 0, amount: 1) }))
        for store in stores {  // whichever partition owns the store
            #expect(throws: Refuse.Refused.self) {
                try op.consume(Batch(records: [Sale(store: store, time: 0, amount: -1)]))
            }
        }
    }
}
