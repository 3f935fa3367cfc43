import Dataflow
import Testing
@testable import Operators

@Suite struct TumblingWindowTests {
    @Test func recordsWithinTheBoundAreCountedInTheirWindow() throws {
        // 11_500 raises the watermark to 9_500: window [0,10000) is still open for 9_000.
        let out = try runWindow([
            Sale(store: "a", time: 1_000, amount: 1),
            Sale(store: "a", time: 11_500, amount: 10),
            Sale(store: "a", time: 9_000, amount: 100),
        ])
        #expect(out.rows.map(\.summary) == ["a@10000=101#0", "a@20000=10#0"])
        #expect(out.late.isEmpty)
    }

    @Test func aWindowFiresWhenTheWatermarkReachesItsEnd() throws {
        let graph = JobGraph()
        let accepted = try graph.source("src", ArraySource([
            Sale(store: "a", time: 1_000, amount: 1),
            Sale(store: "a", time: 11_999, amount: 2),  // watermark 9_999: not yet
            Sale(store: "a", time: 12_000, amount: 3),  // watermark 10_000: fires [0,10000)
        ], batchSize: 10))
            .keyBy { $0.store }
            .process("accept", AcceptAll(), assigningWatermarks: WatermarkAssignment(outOfOrdernessMs: 2_000) { $0.time })
        let windows = try accepted.main.keyBy { $0.store }
            .window("w", TumblingWindow(sizeMs: 10_000), eventTime: { $0.time }, aggregate: SumAmounts())
        let rows = CollectingSink<WindowResult<String, Int64>>()
        windows.results.sink("rows", rows)
        try JobRunner(graph).run()
        // The first row is emitted after the watermark of the third record, before the end.
        guard case .record(let first) = rows.events.first(where: { if case .record = $0 { true } else { false } }) else {
            Issue.record("no row"); return
        }
        #expect(first.summary == "a@10000=1#0")
        let wmBeforeFirstRow = rows.events.prefix { if case .record = $0 { false } else { true } }
        // -1_000 and 9_999 had no row between them, so they reach the sink as one mark; 10_000 follows the row.
        #expect(wmBeforeFirstRow.map { if case .watermark(let w) = $0 { w.time } else { Int64(0) } } == [Int64(9_999)])
        #expect(rows.records.map(\.summary) == ["a@10000=1#0", "a@20000=5#0"])
    }

    @Test func beyondTheBoundARecordIsLateWithHowLate() throws {
        let out = try runWindow([
            Sale(store: "a", time: 1_000, amount: 1),
            Sale(store: "a", time: 15_000, amount: 2),  // watermark 13_000: [0,10000) fired
            Sale(store: "a", time: 4_000, amount: 4),  // late by 13_000 - 10_000
        ])
        #expect(out.rows.map(\.summary) == ["a@10000=1#0", "a@20000=2#0"])
        #expect(out.late.map(\.record.amount) == [4])
        #expect(out.late.map(\.lateByMs) == [3_000])
    }

    @Test func allowedLatenessRevisesAFiredWindowAtOnce() throws {
        let out = try runWindow([
            Sale(store: "a", time: 1_000, amount: 1),
            Sale(store: "a", time: 15_000, amount: 2),  // watermark 13_000 fires [0,10000)
            Sale(store: "a", time: 4_000, amount: 4),  // within 5 s lateness: revision 1
            Sale(store: "b", time: 5_000, amount: 8),  // creates b's fired window: revision 0
            Sale(store: "a", time: 17_000, amount: 16),  // watermark 15_000 = 10_000 + 5_000: a's window closes
            Sale(store: "a", time: 6_000, amount: 32),  // now late
        ], lateness: 5_000)
        #expect(out.rows.map(\.summary) == ["a@10000=1#0", "a@10000=5#1", "b@10000=8#0", "a@20000=18#0"])
        #expect(out.late.map(\.record.amount) == [32])
        #expect(out.late.map(\.lateByMs) == [5_000])
    }

    @Test func windowsOfOneEndFireInOrderOfTheirFirstRecord() throws {
        let out = try runWindow([
            Sale(store: "c", time: 3_000, amount: 1),
            Sale(store: "a", time: 1_000, amount: 2),
            Sale(store: "b", time: 2_000, amount: 4),
            Sale(store: "a", time: 25_000, amount: 8),
        ])
        #expect(out.rows.map(\.summary) == ["c@10000=1#0", "a@10000=2#0", "b@10000=4#0", "a@30000=8#0"])
    }

    @Test func theEndOfInputFiresEveryPendingWindow() throws {
        let out = try runWindow([Sale(store: "a", time: 1_000, amount: 1), Sale(store: "a", time: 35_000, amount: 2)])
        #expect(out.rows.map(\.summary) == ["a@10000=1#0", "a@40000=2#0"])
    }

    @Test func batchSizeDoesNotChangeTheResult() throws {
        let sales = disorderedSales(count: 500, stores: 7)
        let reference = try runWindow(sales, lateness: 1_000, batchSize: 1)
        for size in [2, 17, 1000] {
            let other = try runWindow(sales, lateness: 1_000, batchSize: size)
            #expect(other.rows.map(\.summary) == reference.rows.map(\.summary))
            #expect(other.late.map(\.lateByMs) == reference.late.map(\.lateByMs))
        }
    }

    @Test func windowsAlignToTheEpoch() {
        let w = TumblingWindow(sizeMs: 10_000)
        #expect(w.start(containing: 1_795_256_102_120) == 1_795_256_100_000)
        #expect(w.end(containing: 9_999) == 10_000)
        #expect(w.end(containing: 10_000) == 20_000)
        #expect(w.start(containing: -1) == -10_000)
    }

    /// The window function on its own, in the harness: watermarks given by hand.
    func windowHarness(lateness: Int64 = 0)
        throws -> KeyedOperatorHarness<TumblingWindowFunction<String, SumAmounts>> {
        let function = TumblingWindowFunction<String, SumAmounts>(
            window: TumblingWindow(sizeMs: 10_000, allowedLatenessMs: lateness), aggregator: SumAmounts(), eventTime: { $0.time })
        return try KeyedOperatorHarness(function) { $0.store }
    }

    @Test func inTheHarnessAWindowFiresAtItsEndAndALateRecordGoesToTheSide() throws {
        let h = try windowHarness()
        try h.process(Sale(store: "a", time: 1_000, amount: 1), Sale(store: "b", time: 9_999, amount: 2))
        try h.advanceWatermark(to: 9_999)
        #expect(h.output.isEmpty)
        try h.advanceWatermark(to: 10_000)
        #expect(h.output.map(\.summary) == ["a@10000=1#0", "b@10000=2#0"])
        try h.process(Sale(store: "a", time: 5_000, amount: 4))
        #expect(h.sideOutput.map { "\($0.record.store) \($0.record.time) by \($0.lateByMs)" } == ["a 5000 by 0"])
        try h.endInput()
        #expect(h.output.count == 2)
    }

    @Test func inTheHarnessARecordWithinTheAllowedLatenessRevisesItsWindow() throws {
        let h = try windowHarness(lateness: 5_000)
        try h.process(Sale(store: "a", time: 1_000, amount: 1))
        try h.advanceWatermark(to: 12_000)
        try h.process(Sale(store: "a", time: 2_000, amount: 10))
        try h.advanceWatermark(to: 15_000)
        try h.process(Sale(store: "a", time: 3_000, amount: 100))
        #expect(h.output.map(\.summary) == ["a@10000=1#0", "a@10000=11#1"])
        #expect(h.sideOutput.map(\.lateByMs) == [5_000])
    }
}
