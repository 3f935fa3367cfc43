// A small Tillflow job to copy from: big baskets per store and minute.
//
//     swift run example-big-baskets path/to/pos.jsonl [min-items]
//
// It reads POS transactions, validates them with the same stage as the retail jobs
// (dead letters are counted, not lost), keeps sales of at least `min-items` items,
// counts them per store in one-minute event-time windows, and prints each window.
import Dataflow
import Jobs
import Operators
#if canImport(Glibc)
import Glibc
#endif

/// How many big baskets, and how many items in them.
struct BasketCount: WindowAggregator {
    func makeAccumulator() -> TurnoverTotals { TurnoverTotals() }
    func add(_ tx: Transaction, to totals: inout TurnoverTotals) { totals.add(tx) }
    func result(of totals: TurnoverTotals) -> TurnoverTotals { totals }
}

/// Prints each window as it fires.
final class PrintRows: BatchConsumer {
    func consume(_ batch: Batch<WindowResult<String, TurnoverTotals>>) {
        for row in batch.records {
            print("\(row.key) [\(row.windowStart), \(row.windowEnd)): \(row.value.txCount) big baskets, \(row.value.itemsSold) items")
        }
    }
    func finish() {}
}

/// Counts the dead letters.
final class CountRejections: BatchConsumer {
    var count = 0
    func consume(_ batch: Batch<DeadLetter>) { count += batch.records.count }
    func finish() { print("\(count) lines rejected") }
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: example-big-baskets FILE.jsonl [min-items]")
    exit(2)
}
let minItems = arguments.count > 2 ? Int64(arguments[2]) ?? 10 : 10

do {
    let files = [InputFile(path: arguments[1])]
    let graph = JobGraph()
    let (stage, _) = try ValidationStage.reading(files, into: graph, options: JobOptions())
    stage.deadLetters.sink("count-rejections", CountRejections())
    let windows = try stage.valid
        .filter("big-baskets") { $0.kind == .sale && $0.itemsSold >= minItems }
        .keyBy { $0.storeID }
        .window("per-minute", TumblingWindow(sizeMs: 60_000), eventTime: { $0.eventTime }, aggregate: BasketCount())
    windows.results.sink("print", PrintRows())
    try JobRunner(graph).run()
} catch {
    print("error: \(error)")
    exit(1)
}
