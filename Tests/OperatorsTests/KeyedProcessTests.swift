import Dataflow
import Testing
@testable import Operators

/// Counts records per key in value state and reports each key's count when the
/// watermark reaches the key's first time + 100.
struct CountUntilDeadline: KeyedProcessFunction {
    typealias Key = String
    typealias Input = Sale
    typealias Output = String
    var counts: ValueState<String, NoNamespace, Int64>!

    mutating func open(_ state: StateScope) throws { counts = try state.valueState("counts") }

    mutating func processElement(_ s: Sale, key: String, context: ProcessContext<Self>) throws {
        try counts.update(key, NoNamespace()) { c in
            if c == nil { context.registerTimer(at: s.time + 100, key: key) }
            c = (c ?? 0) + 1
        }
    }

    mutating func onTimer(_ time: Int64, key: String, scope: NoNamespace, context: ProcessContext<Self>) throws {
        context.emit("\(key):\(try counts.get(key, NoNamespace()) ?? 0)@\(time)")
        try counts.remove(key, NoNamespace())
    }
}

@Suite struct KeyedProcessTests {
    @Test func timersFireInTimeOrderThenInRegistrationOrderWhenTheWatermarkPasses() throws {
        let h = try KeyedOperatorHarness(CountUntilDeadline()) { $0.store }
        try h.process(Sale(store: "b", time: 0, amount: 0), Sale(store: "a", time: 0, amount: 0))
        try h.process(Sale(store: "a", time: 50, amount: 0), Sale(store: "c", time: -10, amount: 0))
        try h.endInput()
        // At the end the watermark is +inf: c (90) first, then b and a (100) in the order registered.
        #expect(h.output == ["c:1@90", "b:1@100", "a:2@100"])
    }

    @Test func aTimerInThePastFiresRightAfterTheRecordThatRegisteredIt() throws {
        let h = try KeyedOperatorHarness(CountUntilDeadline()) { $0.store }
        try h.process(Sale(store: "x", time: 1_000, amount: 0))
        try h.advanceWatermark(to: 1_000)
        try h.process(Sale(store: "y", time: 500, amount: 0), Sale(store: "y", time: 500, amount: 0))
        try h.endInput()
        // y's deadline 600 is behind the watermark 1000: each y record is reported on its own.
        #expect(h.output == ["y:1@600", "y:1@600", "x:1@1100"])
    }
}
