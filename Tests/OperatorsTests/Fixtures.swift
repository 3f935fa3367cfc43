import Dataflow
@testable import Operators

/// A minimal timestamped record for operator tests.
struct Sale: Equatable {
    var store: String
    var time: Int64
    var amount: Int64
}

struct SumAmounts: WindowAggregator {
    func makeAccumulator() -> Int64 { 0 }
    func add(_ s: Sale, to acc: inout Int64) { acc += s.amount }
    func result(of acc: Int64) -> Int64 { acc }
}

/// Sales in the order a till would send them: time mostly rising, with a disorder of up to
/// `jitter` ms (deterministic), over stores `s0 ..< s<stores>` in a fixed rotation.
func disorderedSales(count: Int, stores: Int, step: Int = 900, jitter: Int = 5_000, storeStride: Int = 1,
                     storePrefix: String = "s") -> [Sale] {
    var sales: [Sale] = []
    var t: Int64 = 0
    for i in 0 ..< count {
        t += Int64((i * 7919) % step)
        let disorder = Int64((i * 104_729) % jitter)
        sales.append(Sale(store: "\(storePrefix)\((i * storeStride) % stores)", time: t - disorder, amount: Int64(i)))
    }
    return sales
}

/// Emits each input as accepted and assigns watermarks over them: a stand-in for a
/// validation stage, so window tests can feed records with the spec's watermark rule.
struct AcceptAll: KeyedProcessFunction {
    typealias Key = String
    typealias Input = Sale
    typealias Output = Sale
    mutating func open(_ state: StateScope) throws {}
    mutating func processElement(_ input: Sale, key: String, context: ProcessContext<AcceptAll>) throws {
        context.emit(input)
    }
}

/// Source -> watermark assignment (bound `bound`) -> tumbling window -> collecting sinks.
func runWindow(_ sales: [Sale], size: Int64 = 10_000, lateness: Int64 = 0, bound: Int64 = 2_000, batchSize: Int = 3,
               partitions: Int = 1)
    throws -> (rows: [WindowResult<String, Int64>], late: [LateRecord<Sale>], events: [String])
{
    let graph = JobGraph()
    let accepted = try graph.source("src", ArraySource(sales, batchSize: batchSize))
        .keyBy { $0.store }
        .process("accept", AcceptAll(), assigningWatermarks: WatermarkAssignment(outOfOrdernessMs: bound) { $0.time })
    let windows = try accepted.main.keyBy { $0.store }
        .window("w", TumblingWindow(sizeMs: size, allowedLatenessMs: lateness), eventTime: { $0.time }, aggregate: SumAmounts(),
                partitions: partitions)
    let rows = CollectingSink<WindowResult<String, Int64>>()
    let late = CollectingSink<LateRecord<Sale>>()
    windows.results.sink("rows", rows)
    windows.late.sink("late", late)
    try JobRunner(graph).run()
    let events = rows.events.map { event in
        switch event {
        case .record(let row): return row.summary
        case .watermark(let w): return "wm \(w.time)"
        }
    } + late.events.map { event in
        switch event {
        case .record(let l): return "late \(l.record.store) \(l.record.time) by \(l.lateByMs)"
        case .watermark(let w): return "late wm \(w.time)"
        }
    }
    return (rows.records, late.records, events)
}

extension WindowResult where Key == String, Value == Int64 {
    var summary: String { "\(key)@\(windowEnd)=\(value)#\(revision)" }
}
