import Dataflow
import Foundation
import Testing
@testable import Operators

/// Passes sales on, and sends those with a negative amount to the side output.
struct RejectNegative: KeyedProcessFunction {
    typealias Key = String
    typealias Input = Sale
    typealias Output = Sale
    typealias Side = String
    mutating func open(_ state: StateScope) throws {}
    mutating func processElement(_ s: Sale, key: String, context: ProcessContext<Self>) throws {
        if s.amount < 0 { context.emitSide("\(key) \(s.amount)") } else { context.emit(s) }
    }
}

/// The harness itself, as a specification: what one operator does given records and
/// watermarks in this order, across a snapshot and a restore into a fresh instance.
@Suite struct KeyedOperatorHarnessTests {
    func harness(_ state: any StateBackend = MemoryStateBackend()) throws -> KeyedOperatorHarness<CountUntilDeadline> {
        try KeyedOperatorHarness(CountUntilDeadline(), state: state) { $0.store }
    }

    @Test func recordsAloneFireNothingAWatermarkFiresWhatIsDue() throws {
        let h = try harness()
        try h.process(Sale(store: "a", time: 0, amount: 0), Sale(store: "b", time: 30, amount: 0))
        try h.process(Sale(store: "a", time: 10, amount: 0))
        #expect(h.output.isEmpty)
        try h.advanceWatermark(to: 100)
        #expect(h.output == ["a:2@100"])
        try h.advanceWatermark(to: 129)
        #expect(h.output == ["a:2@100"])
        try h.endInput()
        #expect(h.output == ["a:2@100", "b:1@130"])
    }

    @Test func theOutputCarriesTheWatermarksBetweenTheRecords() throws {
        let h = try harness()
        try h.process(Sale(store: "a", time: 0, amount: 0))
        try h.advanceWatermark(to: 50)
        try h.advanceWatermark(to: 100)
        let events = h.outputEvents.map { event -> String in
            switch event {
            case .record(let r): return r
            case .watermark(let w): return "wm \(w.time)"
            }
        }
        #expect(events == ["wm 50", "a:1@100", "wm 100"])
    }

    @Test func theSideOutputIsKeptApart() throws {
        let h = try KeyedOperatorHarness(RejectNegative()) { $0.store }
        try h.process(Sale(store: "a", time: 0, amount: 5), Sale(store: "b", time: 1, amount: -2))
        #expect(h.output == [Sale(store: "a", time: 0, amount: 5)])
        #expect(h.sideOutput == ["b -2"])
    }

    /// A snapshot restored into a fresh instance goes on exactly as the one it was taken
    /// from: state, timers and watermark survive, on either backend.
    @Test(arguments: [StateBackendKind.memory, .rocksdb])
    func aRestoredInstanceGoesOnAsTheOriginalWould(_ kind: StateBackendKind) throws {
        let directory = NSTemporaryDirectory() + "tillflow-harness-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func backend() throws -> any StateBackend {
            kind == .memory ? MemoryStateBackend()
                : try RocksDBStateBackend(directory: directory + "/live-" + UUID().uuidString, memoryBudget: 16 << 20)
        }
        let first = [Sale(store: "a", time: 0, amount: 0), Sale(store: "b", time: 40, amount: 0)]
        let second = [Sale(store: "a", time: 60, amount: 0), Sale(store: "c", time: 70, amount: 0)]

        let whole = try harness(backend())
        try whole.process(first)
        try whole.advanceWatermark(to: 50)
        try whole.process(second)
        try whole.advanceWatermark(to: 140)
        try whole.endInput()

        let before = try harness(backend())
        try before.process(first)
        try before.advanceWatermark(to: 50)
        let snapshot = try before.snapshot(into: directory + "/snapshot")
        let after = try KeyedOperatorHarness(restoring: snapshot, CountUntilDeadline()) { $0.store }
        try after.process(second)
        try after.advanceWatermark(to: 140)
        try after.endInput()

        #expect(whole.output == ["a:2@100", "b:1@140", "c:1@170"])
        #expect(before.output + after.output == whole.output)
        // The watermark came along: a timer already behind it fires right after its record.
        try before.process(Sale(store: "d", time: -100, amount: 0))
        #expect(before.output.last == "d:1@0")
    }
}
